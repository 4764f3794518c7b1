using AspNetStreaming.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Processes;

/// <summary>Log messages of the process and CGI area (source generated, event ids 3xxx).</summary>
internal static partial class ProcessLog
{
    public const string LoggerCategory = "AspNetStreaming.Processes";

    [LoggerMessage(EventId = StreamingEventIds.Id.ProcessStarted, EventName = nameof(StreamingEventIds.ProcessStarted), Level = LogLevel.Debug,
        Message = "Started {Pipeline} (pids {Pids}).")]
    public static partial void Started(ILogger logger, string pipeline, string pids);

    [LoggerMessage(EventId = StreamingEventIds.Id.ProcessExited, EventName = nameof(StreamingEventIds.ProcessExited), Level = LogLevel.Debug,
        Message = "{Pipeline} exited with {ExitCodes}.")]
    public static partial void Exited(ILogger logger, string pipeline, string exitCodes);

    [LoggerMessage(EventId = StreamingEventIds.Id.ProcessStartFailed, EventName = nameof(StreamingEventIds.ProcessStartFailed), Level = LogLevel.Error,
        Message = "Could not start {Program}: {Reason}")]
    public static partial void StartFailed(ILogger logger, string program, string reason);

    [LoggerMessage(EventId = StreamingEventIds.Id.ProcessFailedBeforeOutput, EventName = nameof(StreamingEventIds.ProcessFailedBeforeOutput), Level = LogLevel.Warning,
        Message = "{Pipeline} failed before its first output byte ({Reason}); answering {StatusCode}.")]
    public static partial void FailedBeforeOutput(ILogger logger, string pipeline, string reason, int statusCode);

    [LoggerMessage(EventId = StreamingEventIds.Id.ProcessKilled, EventName = nameof(StreamingEventIds.ProcessKilled), Level = LogLevel.Information,
        Message = "Killing the process tree of {Pipeline}: {Reason}.")]
    public static partial void Killed(ILogger logger, string pipeline, ProcessKillReason reason);

    [LoggerMessage(EventId = StreamingEventIds.Id.ProcessStderr, EventName = nameof(StreamingEventIds.ProcessStderr), Level = LogLevel.Warning,
        Message = "{Program}[{Pid}] stderr: {Line}")]
    public static partial void Stderr(ILogger logger, string program, int pid, string line);

    [LoggerMessage(EventId = StreamingEventIds.Id.ProcessStderrSuppressed, EventName = nameof(StreamingEventIds.ProcessStderrSuppressed), Level = LogLevel.Warning,
        Message = "{Program}[{Pid}] stderr: {Count} lines not logged (rate limit).")]
    public static partial void StderrSuppressed(ILogger logger, string program, int pid, int count);

    [LoggerMessage(EventId = StreamingEventIds.Id.ProcessConcurrencyRejected, EventName = nameof(StreamingEventIds.ProcessConcurrencyRejected), Level = LogLevel.Warning,
        Message = "Refused {Path}: {Scope} concurrency cap of {Limit} reached; answering 503.")]
    public static partial void ConcurrencyRejected(ILogger logger, string path, string scope, int limit);

    [LoggerMessage(EventId = StreamingEventIds.Id.ProcessArgumentRejected, EventName = nameof(StreamingEventIds.ProcessArgumentRejected), Level = LogLevel.Warning,
        Message = "Refused an argument of {Program} for {Path}: {Reason}; answering 400.")]
    public static partial void ArgumentRejected(ILogger logger, string program, string path, string reason);

    [LoggerMessage(EventId = StreamingEventIds.Id.ProcessTimedOut, EventName = nameof(StreamingEventIds.ProcessTimedOut), Level = LogLevel.Warning,
        Message = "{Pipeline} timed out: {Reason}.")]
    public static partial void TimedOut(ILogger logger, string pipeline, ProcessKillReason reason);

    [LoggerMessage(EventId = StreamingEventIds.Id.CgiMalformedResponse, EventName = nameof(StreamingEventIds.CgiMalformedResponse), Level = LogLevel.Error,
        Message = "CGI script {Script} sent a malformed response: {Reason}; answering 502.")]
    public static partial void CgiMalformed(ILogger logger, string script, string reason);

    [LoggerMessage(EventId = StreamingEventIds.Id.CgiScriptNotFound, EventName = nameof(StreamingEventIds.CgiScriptNotFound), Level = LogLevel.Debug,
        Message = "No CGI script for {Path}: {Reason}.")]
    public static partial void CgiScriptNotFound(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = StreamingEventIds.Id.CgiInternalRedirect, EventName = nameof(StreamingEventIds.CgiInternalRedirect), Level = LogLevel.Information,
        Message = "CGI script {Script} redirected internally to {Location}.")]
    public static partial void CgiInternalRedirect(ILogger logger, string script, string location);
}
