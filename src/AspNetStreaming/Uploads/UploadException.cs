using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>An upload was refused or failed; carries the status code and the client-safe text of the
/// ProblemDetails to answer with (never a server path).</summary>
public sealed class UploadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UploadException(int statusCode, string title, string detail, Exception? innerException = null)
        : base(detail, innerException)
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
    }

    /// <summary>The HTTP status code to answer with.</summary>
    public int StatusCode { get; }

    /// <summary>The ProblemDetails title.</summary>
    public string Title { get; }

    /// <summary>The ProblemDetails detail (client-safe).</summary>
    public string Detail { get; }

    /// <summary>A ProblemDetails <c>type</c> URI, when a specification defines one.</summary>
    public string? ProblemType { get; init; }

    /// <summary>Extra response headers (for example <c>Upload-Offset</c> on a 409).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>The body was not read to its end: on HTTP/1.x the answer closes the connection (<c>Connection:
    /// close</c>) so Kestrel does not drain a large body just to keep it alive. HTTP/2 forbids that header; there
    /// Kestrel resets the stream instead.</summary>
    internal bool ClosesConnection { get; init; }

    internal static UploadException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Bad Request", detail);

    internal static UploadException TooLarge(long limit) => new(StatusCodes.Status413PayloadTooLarge, "Content Too Large",
        $"The upload is larger than the limit of {limit} bytes.");

    internal static UploadException DiskFull(Exception inner) => new(StatusCodes.Status507InsufficientStorage, "Insufficient Storage",
        "There is not enough free space to store the upload.", inner);
}
