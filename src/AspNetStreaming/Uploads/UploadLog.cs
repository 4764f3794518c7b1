using AspNetStreaming.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Uploads;

/// <summary>Upload log messages (source generated), event ids 4xxx.</summary>
internal static partial class UploadLog
{
    [LoggerMessage(EventId = StreamingEventIds.Id.UploadStored, EventName = nameof(StreamingEventIds.UploadStored), Level = LogLevel.Information,
        Message = "Stored upload {Name} ({Length} bytes, replaced: {Replaced}).")]
    public static partial void Stored(ILogger logger, string name, long length, bool replaced);

    [LoggerMessage(EventId = StreamingEventIds.Id.UploadStoreUnavailable, EventName = nameof(StreamingEventIds.UploadStoreUnavailable), Level = LogLevel.Error,
        Message = "The store is unavailable for the upload to {Path}: {Detail}; nothing was stored, answering 503.")]
    public static partial void StoreUnavailable(ILogger logger, string path, string detail);

    /// <summary>The one log line of an upload error answered as a problem: a refusal for what the client caused, a
    /// failure (with the exception) for a server error; nothing when the error was logged where it happened.</summary>
    public static void Answered(ILogger logger, string path, UploadException error)
    {
        if (error.Logged)
        {
            return;
        }

        if (UploadErrors.IsClientError(error.Kind))
        {
            Rejected(logger, path, error.StatusCode, error.Detail);
        }
        else if (error.Kind == UploadErrorKind.Internal)
        {
            Failed(logger, error, path);
        }
    }

    [LoggerMessage(EventId = StreamingEventIds.Id.UploadRejected, EventName = nameof(StreamingEventIds.UploadRejected), Level = LogLevel.Warning,
        Message = "Refused upload to {Path}: {Status} {Reason}")]
    public static partial void Rejected(ILogger logger, string path, int status, string reason);

    [LoggerMessage(EventId = StreamingEventIds.Id.UploadAborted, EventName = nameof(StreamingEventIds.UploadAborted), Level = LogLevel.Information,
        Message = "Upload to {Path} ended early after {Bytes} bytes ({Reason}); {Outcome}.")]
    public static partial void Aborted(ILogger logger, string path, long bytes, string reason, string outcome);

    [LoggerMessage(EventId = StreamingEventIds.Id.UploadDiskFull, EventName = nameof(StreamingEventIds.UploadDiskFull), Level = LogLevel.Error,
        Message = "Upload to {Path} ran out of disk space; answering 507.")]
    public static partial void DiskFull(ILogger logger, Exception error, string path);

    [LoggerMessage(EventId = StreamingEventIds.Id.UploadFailed, EventName = nameof(StreamingEventIds.UploadFailed), Level = LogLevel.Error,
        Message = "Upload to {Path} failed; answering 500.")]
    public static partial void Failed(ILogger logger, Exception error, string path);

    [LoggerMessage(EventId = StreamingEventIds.Id.UploadCleanupFailed, EventName = nameof(StreamingEventIds.UploadCleanupFailed), Level = LogLevel.Error,
        Message = "Could not delete the temporary upload file {TempPath}.")]
    public static partial void CleanupFailed(ILogger logger, Exception error, string tempPath);

    [LoggerMessage(EventId = StreamingEventIds.Id.ResumableCreated, EventName = nameof(StreamingEventIds.ResumableCreated), Level = LogLevel.Information,
        Message = "Created resumable upload {Id} for {Name} (length {Length}).")]
    public static partial void ResumableCreated(ILogger logger, string id, string name, string length);

    [LoggerMessage(EventId = StreamingEventIds.Id.ResumptionSupportedSent, EventName = nameof(StreamingEventIds.ResumptionSupportedSent), Level = LogLevel.Debug,
        Message = "Resumable upload {Id}: sent 104 Upload Resumption Supported.")]
    public static partial void ResumptionSupportedSent(ILogger logger, string id);

    [LoggerMessage(EventId = StreamingEventIds.Id.ResumableAppended, EventName = nameof(StreamingEventIds.ResumableAppended), Level = LogLevel.Information,
        Message = "Resumable upload {Id}: appended {Bytes} bytes, offset now {Offset} (request completed: {Completed}); the bytes are kept for resumption.")]
    public static partial void ResumableAppended(ILogger logger, string id, long bytes, long offset, bool completed);

    [LoggerMessage(EventId = StreamingEventIds.Id.ResumableRecovered, EventName = nameof(StreamingEventIds.ResumableRecovered), Level = LogLevel.Warning,
        Message = "Resumable upload {Id} had all its {Length} bytes but was never completed (the server stopped before its publish); completing it now.")]
    public static partial void ResumableRecovered(ILogger logger, string id, long length);

    [LoggerMessage(EventId = StreamingEventIds.Id.ResumableDeleted, EventName = nameof(StreamingEventIds.ResumableDeleted), Level = LogLevel.Information,
        Message = "Resumable upload {Id} was cancelled by the client.")]
    public static partial void ResumableDeleted(ILogger logger, string id);

    [LoggerMessage(EventId = StreamingEventIds.Id.ResumableExpired, EventName = nameof(StreamingEventIds.ResumableExpired), Level = LogLevel.Information,
        Message = "Resumable upload {Id} expired after {Age} without activity and was removed.")]
    public static partial void ResumableExpired(ILogger logger, string id, TimeSpan age);

    [LoggerMessage(EventId = StreamingEventIds.Id.ResumableSweepFailed, EventName = nameof(StreamingEventIds.ResumableSweepFailed), Level = LogLevel.Error,
        Message = "The expiry sweep of the resumable uploads in {Location} failed; it runs again at the next interval.")]
    public static partial void SweepFailed(ILogger logger, Exception error, string location);
}
