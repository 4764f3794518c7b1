using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Diagnostics;

/// <summary>Upload event ids (4xxx).</summary>
public static partial class StreamingEventIds
{
    /// <summary>An upload was stored and published under its final name.</summary>
    public static readonly EventId UploadStored = new(4001, nameof(UploadStored));

    /// <summary>An upload was refused (bad name, precondition, size, digest, conflict); nothing was stored.</summary>
    public static readonly EventId UploadRejected = new(4002, nameof(UploadRejected));

    /// <summary>The client went away (or the server shut down) during an upload; the temporary file was removed.</summary>
    public static readonly EventId UploadAborted = new(4003, nameof(UploadAborted));

    /// <summary>The disk (or quota) filled up during an upload; 507, temporary file removed.</summary>
    public static readonly EventId UploadDiskFull = new(4004, nameof(UploadDiskFull));

    /// <summary>An upload failed unexpectedly; 500, temporary file removed.</summary>
    public static readonly EventId UploadFailed = new(4005, nameof(UploadFailed));

    /// <summary>A temporary upload file could not be deleted.</summary>
    public static readonly EventId UploadCleanupFailed = new(4006, nameof(UploadCleanupFailed));

    /// <summary>A resumable upload was created.</summary>
    public static readonly EventId ResumableCreated = new(4020, nameof(ResumableCreated));

    /// <summary>Bytes were appended to a resumable upload (possibly an interrupted append).</summary>
    public static readonly EventId ResumableAppended = new(4021, nameof(ResumableAppended));

    /// <summary>A resumable upload was cancelled by DELETE.</summary>
    public static readonly EventId ResumableDeleted = new(4022, nameof(ResumableDeleted));

    /// <summary>An abandoned resumable upload expired and was removed.</summary>
    public static readonly EventId ResumableExpired = new(4023, nameof(ResumableExpired));

    /// <summary>A 104 (Upload Resumption Supported) told the client where its new upload lives.</summary>
    public static readonly EventId ResumptionSupportedSent = new(4024, nameof(ResumptionSupportedSent));
}
