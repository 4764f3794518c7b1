namespace AspNetStreaming.Uploads;

/// <summary>Settings for resumable uploads; bound from <c>Streaming:Uploads:Resumable</c>.</summary>
public sealed class ResumableUploadOptions
{
    /// <summary>How long an upload may stay without activity before it is removed (24 hours by default).
    /// Announced to clients as <c>Upload-Limit: expires</c>.</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the cleanup looks for expired uploads (5 minutes by default).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether a creation of the IETF draft is answered <c>104 Upload Resumption Supported</c> (with its
    /// <c>Location</c>) before its body is read, on connections set up with <c>UseInformationalResponses</c>; on by
    /// default. It is never sent to a request that came through a proxy (one carrying <c>Forwarded</c>,
    /// <c>X-Forwarded-For</c> or <c>Via</c>): nginx, for one, takes a 1xx from the app for its final answer and the
    /// client never gets the 201. Turn it off behind a proxy that adds none of those headers.</summary>
    public bool SendResumptionSupported { get; set; } = true;
}
