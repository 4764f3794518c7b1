using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Diagnostics;

/// <summary>Event ids of the process and CGI area (3xxx).</summary>
public static partial class StreamingEventIds
{
    /// <summary>A process pipeline was started.</summary>
    public static readonly EventId ProcessStarted = new(3001, nameof(ProcessStarted));

    /// <summary>A process pipeline ended (exit codes logged).</summary>
    public static readonly EventId ProcessExited = new(3002, nameof(ProcessExited));

    /// <summary>A program could not be started (missing, not executable, bad working directory).</summary>
    public static readonly EventId ProcessStartFailed = new(3003, nameof(ProcessStartFailed));

    /// <summary>A pipeline failed before its first output byte; the client got a 502 ProblemDetails.</summary>
    public static readonly EventId ProcessFailedBeforeOutput = new(3004, nameof(ProcessFailedBeforeOutput));

    /// <summary>A process tree was killed (timeout, client gone, output limit, shutdown).</summary>
    public static readonly EventId ProcessKilled = new(3005, nameof(ProcessKilled));

    /// <summary>A line a program wrote to stderr.</summary>
    public static readonly EventId ProcessStderr = new(3006, nameof(ProcessStderr));

    /// <summary>stderr lines were dropped by the rate limit.</summary>
    public static readonly EventId ProcessStderrSuppressed = new(3007, nameof(ProcessStderrSuppressed));

    /// <summary>A request was refused by a concurrency cap; 503.</summary>
    public static readonly EventId ProcessConcurrencyRejected = new(3008, nameof(ProcessConcurrencyRejected));

    /// <summary>A route or query value was refused as a program argument; 400.</summary>
    public static readonly EventId ProcessArgumentRejected = new(3009, nameof(ProcessArgumentRejected));

    /// <summary>A timeout fired (idle or total).</summary>
    public static readonly EventId ProcessTimedOut = new(3010, nameof(ProcessTimedOut));

    /// <summary>A CGI script's output was malformed; 502.</summary>
    public static readonly EventId CgiMalformedResponse = new(3101, nameof(CgiMalformedResponse));

    /// <summary>A CGI script path was refused or not found; 404.</summary>
    public static readonly EventId CgiScriptNotFound = new(3102, nameof(CgiScriptNotFound));

    /// <summary>A CGI script answered with a local Location; the request was redirected internally.</summary>
    public static readonly EventId CgiInternalRedirect = new(3103, nameof(CgiInternalRedirect));
}
