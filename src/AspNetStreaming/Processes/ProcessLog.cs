using AspNetStreaming.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Processes;

/// <summary>Log messages of the process and CGI area (source generated, event ids 3xxx).</summary>
internal static partial class ProcessLog
{
    public const string LoggerCategory = "AspNetStreaming.Processes";

    [LoggerMessage(EventId = 3001, EventName = nameof(StreamingEventIds.ProcessStarted), Level = LogLevel.Debug,
        Message = "Started {Pipeline} (pids {Pids}).")]
    public static partial void Started(ILogger logger, string pipeline, string pids);

    [LoggerMessage(EventId = 3002, EventName = nameof(StreamingEventIds.ProcessExited), Level = LogLevel.Debug,
        Message = "{Pipeline} exited with {ExitCodes}.")]
    public static partial void Exited(ILogger logger, string pipeline, string exitCodes);

    [LoggerMessage(EventId = 3003, EventName = nameof(StreamingEventIds.ProcessStartFailed), Level = LogLevel.Error,
        Message = "Could not start {Program}: {Reason}")]
    public static partial void StartFailed(ILogger logger, string program, string reason);

    [LoggerMessage(EventId = 3004, EventName = nameof(StreamingEventIds.ProcessFailedBeforeOutput), Level = LogLevel.Warning,
        Message = "{Pipeline} failed before its first output byte ({Reason}); answering {StatusCode}.")]
    public static partial void FailedBeforeOutput(ILogger logger, string pipeline, string reason, int statusCode);

    [LoggerMessage(EventId = 3005, EventName = nameof(StreamingEventIds.ProcessKilled), Level = LogLevel.Information,
        Message = "Killing the process tree of {Pipeline}: {Reason}.")]
    public static partial void Killed(ILogger logger, string pipeline, ProcessKillReason reason);

    [LoggerMessage(EventId = 3006, EventName = nameof(StreamingEventIds.ProcessStderr), Level = LogLevel.Warning,
        Message = "{Program}[{Pid}] stderr: {Line}")]
    public static partial void Stderr(ILogger logger, string program, int pid, string line);

    [LoggerMessage(EventId = 3007, EventName = nameof(StreamingEventIds.ProcessStderrSuppressed), Level = LogLevel.Warning,
        Message = "{Program}[{Pid}] stderr: {Count} lines not logged (rate limit).")]
    public static partial void StderrSuppressed(ILogger logger, string program, int pid, int count);

    [LoggerMessage(EventId = 3008, EventName = nameof(StreamingEventIds.ProcessConcurrencyRejected), Level = LogLevel.Warning,
        Message = "Refused {Path}: {Scope} concurrency cap of {Limit} reached; answering 503.")]
    public static partial void ConcurrencyRejected(ILogger logger, string path, string scope, int limit);

    [LoggerMessage(EventId = 3009, EventName = nameof(StreamingEventIds.ProcessArgumentRejected), Level = LogLevel.Warning,
        Message = "Refused argument {Name} for {Path}: {Reason}; answering 400.")]
    public static partial void ArgumentRejected(ILogger logger, string name, string path, string reason);

    [LoggerMessage(EventId = 3010, EventName = nameof(StreamingEventIds.ProcessTimedOut), Level = LogLevel.Warning,
        Message = "{Pipeline} timed out: {Reason}.")]
    public static partial void TimedOut(ILogger logger, string pipeline, ProcessKillReason reason);

    [LoggerMessage(EventId = 3101, EventName = nameof(StreamingEventIds.CgiMalformedResponse), Level = LogLevel.Error,
        Message = "CGI script {Script} sent a malformed response: {Reason}; answering 502.")]
    public static partial void CgiMalformed(ILogger logger, string script, string reason);

    [LoggerMessage(EventId = 3102, EventName = nameof(StreamingEventIds.CgiScriptNotFound), Level = LogLevel.Debug,
        Message = "No CGI script for {Path}: {Reason}.")]
    public static partial void CgiScriptNotFound(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3103, EventName = nameof(StreamingEventIds.CgiInternalRedirect), Level = LogLevel.Information,
        Message = "CGI script {Script} redirected internally to {Location}.")]
    public static partial void CgiInternalRedirect(ILogger logger, string script, string location);
}
