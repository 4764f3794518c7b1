using AspNetStreaming.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Http;

/// <summary>Log messages (source generated) for file results, ranges and preconditions.</summary>
internal static partial class FileServingLog
{
    [LoggerMessage(EventId = StreamingEventIds.Id.RangeNotSatisfiable, EventName = nameof(StreamingEventIds.RangeNotSatisfiable), Level = LogLevel.Information,
        Message = "No satisfiable range in '{Range}' for {Path} ({Length} bytes); answering 416.")]
    public static partial void RangeNotSatisfiable(ILogger logger, string range, string path, long length);

    [LoggerMessage(EventId = StreamingEventIds.Id.RangeIgnored, EventName = nameof(StreamingEventIds.RangeIgnored), Level = LogLevel.Information,
        Message = "Ignored Range '{Range}' for {Path}: {Reason}; sending the whole body.")]
    public static partial void RangeIgnored(ILogger logger, string range, string path, string reason);

    [LoggerMessage(EventId = StreamingEventIds.Id.PreconditionFailed, EventName = nameof(StreamingEventIds.PreconditionFailed), Level = LogLevel.Information,
        Message = "A precondition failed for {Method} {Path}; answering 412.")]
    public static partial void PreconditionFailed(ILogger logger, string method, string path);

    [LoggerMessage(EventId = StreamingEventIds.Id.FileMethodNotAllowed, EventName = nameof(StreamingEventIds.FileMethodNotAllowed), Level = LogLevel.Information,
        Message = "{Method} {Path} is not allowed on a file mapping; answering 405.")]
    public static partial void MethodNotAllowed(ILogger logger, string method, string path);

    [LoggerMessage(EventId = StreamingEventIds.Id.StoreUnavailable, EventName = nameof(StreamingEventIds.StoreUnavailable), Level = LogLevel.Warning,
        Message = "The store is unavailable for {Method} {Path}: {Detail}; answering 503.")]
    public static partial void StoreUnavailable(ILogger logger, string method, string path, string detail);

    [LoggerMessage(EventId = StreamingEventIds.Id.SendFileAccelerated, EventName = nameof(StreamingEventIds.SendFileAccelerated), Level = LogLevel.Debug,
        Message = "SendFileAsync of {Path} (from {Offset}, {Count} bytes) sent by the pump.")]
    public static partial void SendFileAccelerated(ILogger logger, string path, long offset, string count);

    [LoggerMessage(EventId = StreamingEventIds.Id.FileOpenFailed, EventName = nameof(StreamingEventIds.FileOpenFailed), Level = LogLevel.Error,
        Message = "Opening {Path} to serve it failed; answered 500.")]
    public static partial void FileOpenFailed(ILogger logger, Exception error, string path);
}
