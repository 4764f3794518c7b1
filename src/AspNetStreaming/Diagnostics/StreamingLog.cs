using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Diagnostics;

/// <summary>High-performance log messages (source generated) for the response side.</summary>
internal static partial class StreamingLog
{
    [LoggerMessage(EventId = StreamingEventIds.Id.ClientDisconnected, EventName = nameof(StreamingEventIds.ClientDisconnected), Level = LogLevel.Debug,
        Message = "The client disconnected after {BytesSent} of {Length} bytes of {Path}.")]
    public static partial void ClientDisconnected(ILogger logger, long bytesSent, string length, string path);

    [LoggerMessage(EventId = StreamingEventIds.Id.ProducerFailedBeforeBody, EventName = nameof(StreamingEventIds.ProducerFailedBeforeBody), Level = LogLevel.Error,
        Message = "The body of {Path} failed before its first byte; answering 500.")]
    public static partial void ProducerFailedBeforeBody(ILogger logger, Exception error, string path);

    [LoggerMessage(EventId = StreamingEventIds.Id.ProducerFailedMidBody, EventName = nameof(StreamingEventIds.ProducerFailedMidBody), Level = LogLevel.Error,
        Message = "The body of {Path} failed after {BytesSent} bytes; aborting the connection so the client sees an incomplete body.")]
    public static partial void ProducerFailedMidBody(ILogger logger, Exception error, string path, long bytesSent);

    [LoggerMessage(EventId = StreamingEventIds.Id.ProducerStopped, EventName = nameof(StreamingEventIds.ProducerStopped), Level = LogLevel.Information,
        Message = "The body of {Path} was stopped after {BytesSent} bytes; aborting the connection.")]
    public static partial void ProducerStopped(ILogger logger, string path, long bytesSent);

    [LoggerMessage(EventId = StreamingEventIds.Id.FileNotFound, EventName = nameof(StreamingEventIds.FileNotFound), Level = LogLevel.Debug,
        Message = "No file for {Path}; answering 404.")]
    public static partial void FileNotFound(ILogger logger, string path);

    [LoggerMessage(EventId = StreamingEventIds.Id.PathRejected, EventName = nameof(StreamingEventIds.PathRejected), Level = LogLevel.Warning,
        Message = "Refused request path {Path}: {Reason}.")]
    public static partial void PathRejected(ILogger logger, string path, string reason);
}
