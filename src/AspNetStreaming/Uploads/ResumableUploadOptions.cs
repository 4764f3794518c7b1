namespace AspNetStreaming.Uploads;

/// <summary>Settings for resumable uploads; bound from <c>Streaming:Uploads:Resumable</c>.</summary>
public sealed class ResumableUploadOptions
{
    /// <summary>How long an upload may stay without activity before it is removed (24 hours by default).
    /// Announced to clients as <c>Upload-Limit: expires</c>.</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the cleanup looks for expired uploads (5 minutes by default).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);
}
