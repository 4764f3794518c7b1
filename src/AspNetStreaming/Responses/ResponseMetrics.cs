using System.Diagnostics.Metrics;

namespace AspNetStreaming.Diagnostics;

/// <summary>
/// The library's <see cref="System.Diagnostics.Metrics"/> instruments, on the meter named
/// <see cref="MeterName"/>. Registered by <c>AddAspNetStreaming</c>; code that runs without it records nothing.
/// </summary>
public sealed class StreamingMetrics
{
    /// <summary>The meter name to listen to (for example with <c>dotnet-counters monitor -n app AspNetStreaming</c>).</summary>
    public const string MeterName = "AspNetStreaming";

    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _responsesCompleted;
    private readonly Counter<long> _responsesAborted;
    private readonly UpDownCounter<long> _activeResponses;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public StreamingMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        Meter = meter;
        _bytesSent = meter.CreateCounter<long>("aspnetstreaming.response.bytes_sent", unit: "By",
            description: "Body bytes written into responses by producers.");
        _responsesCompleted = meter.CreateCounter<long>("aspnetstreaming.response.completed", unit: "{response}",
            description: "Producer responses whose body was sent completely.");
        _responsesAborted = meter.CreateCounter<long>("aspnetstreaming.response.aborted", unit: "{response}",
            description: "Producer responses that ended early (client gone, failure or stop).");
        _activeResponses = meter.CreateUpDownCounter<long>("aspnetstreaming.response.active", unit: "{response}",
            description: "Producer responses being sent now.");
    }

    /// <summary>The meter the instruments live on; other parts of the library add theirs to it.</summary>
    public Meter Meter { get; }

    internal void ResponseStarted() => _activeResponses.Add(1);

    internal void ResponseEnded(long bytesSent, bool completed)
    {
        _activeResponses.Add(-1);
        _bytesSent.Add(bytesSent);
        (completed ? _responsesCompleted : _responsesAborted).Add(1);
    }
}
