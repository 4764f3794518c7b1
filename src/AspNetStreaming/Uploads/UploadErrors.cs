using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>The one place an <see cref="UploadErrorKind"/> becomes a status code, a ProblemDetails title and type.</summary>
internal static class UploadErrors
{
    private const string ProblemBase = "https://iana.org/assignments/http-problem-types#";

    public static (int Status, string Title, string? ProblemType) Describe(UploadErrorKind kind) => kind switch
    {
        UploadErrorKind.BadRequest => (StatusCodes.Status400BadRequest, "Bad Request", null),
        UploadErrorKind.DigestMismatch => (StatusCodes.Status400BadRequest, "Digest Mismatch", null),
        UploadErrorKind.IncompleteBody => (StatusCodes.Status400BadRequest, "Bad Request", null),
        UploadErrorKind.InconsistentLength => (StatusCodes.Status400BadRequest, "Inconsistent Upload Length", ProblemBase + "inconsistent-upload-length"),
        UploadErrorKind.CompletedUpload => (StatusCodes.Status400BadRequest, "Completed Upload", ProblemBase + "completed-upload"),
        UploadErrorKind.NotFound => (StatusCodes.Status404NotFound, "Not Found", null),
        UploadErrorKind.TooSlow => (StatusCodes.Status408RequestTimeout, "Request Timeout", null),
        UploadErrorKind.Conflict => (StatusCodes.Status409Conflict, "Conflict", null),
        UploadErrorKind.OffsetMismatch => (StatusCodes.Status409Conflict, "Mismatching Upload Offset", ProblemBase + "mismatching-upload-offset"),
        UploadErrorKind.PreconditionFailed => (StatusCodes.Status412PreconditionFailed, "Precondition Failed", null),
        UploadErrorKind.TooLarge => (StatusCodes.Status413PayloadTooLarge, "Content Too Large", null),
        UploadErrorKind.UnsupportedMediaType => (StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type", null),
        UploadErrorKind.TooManyUploads => (StatusCodes.Status503ServiceUnavailable, "Service Unavailable", null),
        UploadErrorKind.ShuttingDown => (StatusCodes.Status503ServiceUnavailable, "Service Unavailable", null),
        UploadErrorKind.DiskFull => (StatusCodes.Status507InsufficientStorage, "Insufficient Storage", null),
        UploadErrorKind.StoreUnavailable => (StatusCodes.Status503ServiceUnavailable, "Service Unavailable", null),
        UploadErrorKind.ChecksumMismatch => (460, "Checksum Mismatch", "https://tus.io/protocols/resumable-upload#checksum"),
        UploadErrorKind.Forbidden => (StatusCodes.Status403Forbidden, "Forbidden", null),
        // Nothing is sent; the status is what the access log of a server that did answer would show.
        UploadErrorKind.ClientGone => (StatusCodes.Status400BadRequest, "Upload Interrupted", null),
        _ => (StatusCodes.Status500InternalServerError, "Internal Server Error", null),
    };

    /// <summary>Whether the client caused it (logged as a refusal, not as a server failure).</summary>
    public static bool IsClientError(UploadErrorKind kind) => kind is not (UploadErrorKind.Internal or UploadErrorKind.DiskFull
        or UploadErrorKind.ShuttingDown or UploadErrorKind.ClientGone or UploadErrorKind.StoreUnavailable);

    /// <summary>The upload error a store's refusal or failure is: the one mapping from storage to uploads.</summary>
    public static UploadException FromStore(Storage.StoreException error, long maxSize) => error.Kind switch
    {
        Storage.StoreErrorKind.AlreadyExists => new UploadException(UploadErrorKind.Conflict, "A file with this name already exists.", error),
        // The store says which precondition (If-Match, If-None-Match) did not hold; its words carry no secret.
        Storage.StoreErrorKind.PreconditionFailed => new UploadException(UploadErrorKind.PreconditionFailed, error.Message, error),
        Storage.StoreErrorKind.ConcurrentWrite => new UploadException(UploadErrorKind.Conflict, "Another upload of this name was published while this one was sent; nothing of this one was stored.", error),
        // The store's own limit, when it holds less than the upload's, says what holds it (a blob's blocks).
        Storage.StoreErrorKind.TooLarge => error.Limit < maxSize ? new UploadException(UploadErrorKind.TooLarge, error.Message, error) : UploadException.TooLarge(maxSize),
        Storage.StoreErrorKind.Failed => new UploadException(UploadErrorKind.Internal, "The file store refused the request; nothing was stored.", error),
        _ => new UploadException(UploadErrorKind.StoreUnavailable, "The file store cannot be reached; nothing was stored. Try again later.", error)
        {
            Headers = new Dictionary<string, string> { ["Retry-After"] = "5" },
        },
    };
}
