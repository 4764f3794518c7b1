namespace AspNetStreaming.Diagnostics;

/// <summary>
/// The library's <see cref="System.Diagnostics.Metrics"/> meter: every instrument (responses, uploads, processes)
/// is created on a meter of this name from the app's <see cref="System.Diagnostics.Metrics.IMeterFactory"/>, so
/// code that runs without one records nothing.
/// </summary>
public static class StreamingMeter
{
    /// <summary>The meter name to listen to (for example with <c>dotnet-counters monitor -n app AspNetStreaming</c>).</summary>
    public const string Name = "AspNetStreaming";
}
