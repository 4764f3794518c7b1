using System.Diagnostics.Metrics;

using AspNetStreaming.Diagnostics;

namespace AspNetStreaming.Responses;

/// <summary>
/// The instruments of producer responses, on the library's meter (<see cref="StreamingMeter.Name"/>). Registered
/// by <c>AddAspNetStreaming</c>; a response sent without it records nothing.
/// </summary>
internal sealed class ResponseMetrics
{
    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _responsesCompleted;
    private readonly Counter<long> _responsesAborted;
    private readonly UpDownCounter<long> _activeResponses;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public ResponseMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(StreamingMeter.Name);
        _bytesSent = meter.CreateCounter<long>("aspnetstreaming.response.bytes_sent", unit: "By",
            description: "Body bytes written into responses by producers.");
        _responsesCompleted = meter.CreateCounter<long>("aspnetstreaming.response.completed", unit: "{response}",
            description: "Producer responses whose body was sent completely.");
        _responsesAborted = meter.CreateCounter<long>("aspnetstreaming.response.aborted", unit: "{response}",
            description: "Producer responses that ended early (client gone, failure or stop).");
        _activeResponses = meter.CreateUpDownCounter<long>("aspnetstreaming.response.active", unit: "{response}",
            description: "Producer responses being sent now.");
    }

    internal void ResponseStarted() => _activeResponses.Add(1);

    internal void ResponseEnded(long bytesSent, bool completed)
    {
        _activeResponses.Add(-1);
        _bytesSent.Add(bytesSent);
        (completed ? _responsesCompleted : _responsesAborted).Add(1);
    }
}
