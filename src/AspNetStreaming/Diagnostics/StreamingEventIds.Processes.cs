using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Diagnostics;

/// <summary>Event ids of the process and CGI area (3xxx).</summary>
public static partial class StreamingEventIds
{
    /// <summary>A process pipeline was started.</summary>
    public static readonly EventId ProcessStarted = new(Id.ProcessStarted, nameof(ProcessStarted));

    /// <summary>A process pipeline ended (exit codes logged).</summary>
    public static readonly EventId ProcessExited = new(Id.ProcessExited, nameof(ProcessExited));

    /// <summary>A program could not be started (missing, not executable, bad working directory).</summary>
    public static readonly EventId ProcessStartFailed = new(Id.ProcessStartFailed, nameof(ProcessStartFailed));

    /// <summary>A pipeline failed before its first output byte; the client got a 502 ProblemDetails.</summary>
    public static readonly EventId ProcessFailedBeforeOutput = new(Id.ProcessFailedBeforeOutput, nameof(ProcessFailedBeforeOutput));

    /// <summary>A process tree was killed (timeout, client gone, output limit, shutdown).</summary>
    public static readonly EventId ProcessKilled = new(Id.ProcessKilled, nameof(ProcessKilled));

    /// <summary>A line a program wrote to stderr.</summary>
    public static readonly EventId ProcessStderr = new(Id.ProcessStderr, nameof(ProcessStderr));

    /// <summary>stderr lines were dropped by the rate limit.</summary>
    public static readonly EventId ProcessStderrSuppressed = new(Id.ProcessStderrSuppressed, nameof(ProcessStderrSuppressed));

    /// <summary>A request was refused by a concurrency cap; 503.</summary>
    public static readonly EventId ProcessConcurrencyRejected = new(Id.ProcessConcurrencyRejected, nameof(ProcessConcurrencyRejected));

    /// <summary>A route or query value was refused as a program argument; 400.</summary>
    public static readonly EventId ProcessArgumentRejected = new(Id.ProcessArgumentRejected, nameof(ProcessArgumentRejected));

    /// <summary>A timeout fired (idle or total).</summary>
    public static readonly EventId ProcessTimedOut = new(Id.ProcessTimedOut, nameof(ProcessTimedOut));

    /// <summary>A CGI script's output was malformed; 502.</summary>
    public static readonly EventId CgiMalformedResponse = new(Id.CgiMalformedResponse, nameof(CgiMalformedResponse));

    /// <summary>A CGI script path was refused or not found; 404.</summary>
    public static readonly EventId CgiScriptNotFound = new(Id.CgiScriptNotFound, nameof(CgiScriptNotFound));

    /// <summary>A CGI script answered with a local Location; the request was redirected internally.</summary>
    public static readonly EventId CgiInternalRedirect = new(Id.CgiInternalRedirect, nameof(CgiInternalRedirect));

    /// <summary>The numbers, for <c>[LoggerMessage]</c> attributes (which take constants): each is written here only.</summary>
    internal static partial class Id
    {
        public const int ProcessStarted = 3001;
        public const int ProcessExited = 3002;
        public const int ProcessStartFailed = 3003;
        public const int ProcessFailedBeforeOutput = 3004;
        public const int ProcessKilled = 3005;
        public const int ProcessStderr = 3006;
        public const int ProcessStderrSuppressed = 3007;
        public const int ProcessConcurrencyRejected = 3008;
        public const int ProcessArgumentRejected = 3009;
        public const int ProcessTimedOut = 3010;
        public const int CgiMalformedResponse = 3101;
        public const int CgiScriptNotFound = 3102;
        public const int CgiInternalRedirect = 3103;
    }
}
