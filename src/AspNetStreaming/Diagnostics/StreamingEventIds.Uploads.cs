using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Diagnostics;

/// <summary>Upload event ids (4xxx).</summary>
public static partial class StreamingEventIds
{
    /// <summary>An upload was stored and published under its final name.</summary>
    public static readonly EventId UploadStored = new(Id.UploadStored, nameof(UploadStored));

    /// <summary>An upload was refused (bad name, precondition, size, digest, conflict); nothing was stored.</summary>
    public static readonly EventId UploadRejected = new(Id.UploadRejected, nameof(UploadRejected));

    /// <summary>The client went away (or the server shut down) during an upload; the temporary file was removed.</summary>
    public static readonly EventId UploadAborted = new(Id.UploadAborted, nameof(UploadAborted));

    /// <summary>The disk (or quota) filled up during an upload; 507, temporary file removed.</summary>
    public static readonly EventId UploadDiskFull = new(Id.UploadDiskFull, nameof(UploadDiskFull));

    /// <summary>An upload failed unexpectedly; 500, temporary file removed.</summary>
    public static readonly EventId UploadFailed = new(Id.UploadFailed, nameof(UploadFailed));

    /// <summary>A temporary upload file could not be deleted.</summary>
    public static readonly EventId UploadCleanupFailed = new(Id.UploadCleanupFailed, nameof(UploadCleanupFailed));

    /// <summary>The store an upload was going into could not be reached or failed; nothing was published (503).</summary>
    public static readonly EventId UploadStoreUnavailable = new(Id.UploadStoreUnavailable, nameof(UploadStoreUnavailable));

    /// <summary>A resumable upload was created.</summary>
    public static readonly EventId ResumableCreated = new(Id.ResumableCreated, nameof(ResumableCreated));

    /// <summary>Bytes were appended to a resumable upload (possibly an interrupted append).</summary>
    public static readonly EventId ResumableAppended = new(Id.ResumableAppended, nameof(ResumableAppended));

    /// <summary>A resumable upload was cancelled by DELETE.</summary>
    public static readonly EventId ResumableDeleted = new(Id.ResumableDeleted, nameof(ResumableDeleted));

    /// <summary>An abandoned resumable upload expired and was removed.</summary>
    public static readonly EventId ResumableExpired = new(Id.ResumableExpired, nameof(ResumableExpired));

    /// <summary>A 104 (Upload Resumption Supported) told the client where its new upload lives.</summary>
    public static readonly EventId ResumptionSupportedSent = new(Id.ResumptionSupportedSent, nameof(ResumptionSupportedSent));

    /// <summary>A resumable upload whose bytes had all arrived, but which the server stopped before publishing (a crash,
    /// a kill), was completed when it was next asked about.</summary>
    public static readonly EventId ResumableRecovered = new(Id.ResumableRecovered, nameof(ResumableRecovered));

    /// <summary>The expiry sweep of resumable uploads failed (it runs again at the next interval).</summary>
    public static readonly EventId ResumableSweepFailed = new(Id.ResumableSweepFailed, nameof(ResumableSweepFailed));

    /// <summary>The numbers, for <c>[LoggerMessage]</c> attributes (which take constants): each is written here only.</summary>
    internal static partial class Id
    {
        public const int UploadStored = 4001;
        public const int UploadRejected = 4002;
        public const int UploadAborted = 4003;
        public const int UploadDiskFull = 4004;
        public const int UploadFailed = 4005;
        public const int UploadCleanupFailed = 4006;
        public const int UploadStoreUnavailable = 4007;
        public const int ResumableCreated = 4020;
        public const int ResumableAppended = 4021;
        public const int ResumableDeleted = 4022;
        public const int ResumableExpired = 4023;
        public const int ResumptionSupportedSent = 4024;
        public const int ResumableRecovered = 4025;
        public const int ResumableSweepFailed = 4026;
    }
}
