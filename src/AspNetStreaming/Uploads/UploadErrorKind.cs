namespace AspNetStreaming.Uploads;

/// <summary>What went wrong with an upload. Each kind answers with one status code, title and (where a
/// specification defines one) ProblemDetails type; see <see cref="UploadException.StatusCode"/>.</summary>
public enum UploadErrorKind
{
    /// <summary>400: a header or the body is malformed (a bad name, a bad field, a malformed multipart body).</summary>
    BadRequest,

    /// <summary>400: the content does not match the digest the request announced.</summary>
    DigestMismatch,

    /// <summary>400: the body ended before its announced length (the client's framing broke off).</summary>
    IncompleteBody,

    /// <summary>400: a resumable upload's lengths disagree (draft-ietf-httpbis-resumable-upload's
    /// <c>inconsistent-upload-length</c>).</summary>
    InconsistentLength,

    /// <summary>400: the resumable upload is already complete (<c>completed-upload</c>).</summary>
    CompletedUpload,

    /// <summary>404: no such resumable upload, or it was cancelled meanwhile.</summary>
    NotFound,

    /// <summary>408: the body arrived more slowly than the minimum data rate.</summary>
    TooSlow,

    /// <summary>409: the name is taken (with <see cref="UploadOverwritePolicy.Reject"/>), or another request is
    /// appending to the same resumable upload.</summary>
    Conflict,

    /// <summary>409: an append named the wrong offset (<c>mismatching-upload-offset</c>).</summary>
    OffsetMismatch,

    /// <summary>412: <c>If-None-Match</c> or <c>If-Match</c> did not hold.</summary>
    PreconditionFailed,

    /// <summary>413: the upload is larger than a limit.</summary>
    TooLarge,

    /// <summary>415: the body's media type is not one the endpoint takes.</summary>
    UnsupportedMediaType,

    /// <summary>503 with <c>Retry-After</c>: too many uploads are in progress.</summary>
    TooManyUploads,

    /// <summary>503: the server is shutting down.</summary>
    ShuttingDown,

    /// <summary>507: not enough free disk space.</summary>
    DiskFull,

    /// <summary>The client went away; nothing is answered.</summary>
    ClientGone,

    /// <summary>500: an unexpected failure (logged with its exception).</summary>
    Internal,

    /// <summary>503 with <c>Retry-After</c>: the store behind the uploads (a blob container) could not be reached or
    /// failed; nothing was stored.</summary>
    StoreUnavailable,

    /// <summary>460 (tus): the chunk's <c>Upload-Checksum</c> does not match its bytes; the chunk was discarded.</summary>
    ChecksumMismatch,

    /// <summary>403: the request is not allowed on this resource (tus: an append to a final concatenation).</summary>
    Forbidden,
}
