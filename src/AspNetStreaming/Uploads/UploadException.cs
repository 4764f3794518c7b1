namespace AspNetStreaming.Uploads;

/// <summary>An upload was refused or failed: its <see cref="Kind"/> and the client-safe text of the ProblemDetails
/// to answer with (never a server path). Status, title and type follow from the kind.</summary>
public sealed class UploadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UploadException(UploadErrorKind kind, string detail, Exception? innerException = null)
        : base(detail, innerException)
    {
        Kind = kind;
        Detail = detail;
        (StatusCode, Title, ProblemType) = UploadErrors.Describe(kind);
    }

    /// <summary>What went wrong.</summary>
    public UploadErrorKind Kind { get; }

    /// <summary>The HTTP status code to answer with.</summary>
    public int StatusCode { get; }

    /// <summary>The ProblemDetails title.</summary>
    public string Title { get; }

    /// <summary>The ProblemDetails detail (client-safe).</summary>
    public string Detail { get; }

    /// <summary>A ProblemDetails <c>type</c> URI, when a specification defines one.</summary>
    public string? ProblemType { get; }

    /// <summary>Extra response headers (for example <c>Upload-Offset</c> on a 409, <c>Retry-After</c> on a 503).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>The body was not read to its end: on HTTP/1.x the answer closes the connection (<c>Connection:
    /// close</c>) so Kestrel does not drain a large body just to keep it alive. HTTP/2 forbids that header; there
    /// Kestrel resets the stream instead.</summary>
    internal bool ClosesConnection { get; init; }

    /// <summary>Already logged where it was classified (<see cref="UploadIngestor.Classify"/>): the endpoint that
    /// answers it logs it no second time.</summary>
    internal bool Logged { get; set; }

    /// <summary>Members of the problem type beyond the standard ones (the draft's <c>expected-offset</c> and
    /// <c>provided-offset</c> of <c>mismatching-upload-offset</c>).</summary>
    internal IReadOnlyDictionary<string, object?>? Extensions { get; init; }

    /// <summary>This error, answered with the connection closed (HTTP/1.x) when <paramref name="closesConnection"/>,
    /// and with <paramref name="header"/> added.</summary>
    internal UploadException With(bool closesConnection, KeyValuePair<string, string>? header = null)
    {
        if (header is null && (!closesConnection || ClosesConnection))
        {
            return this; // nothing to add
        }

        var headers = new Dictionary<string, string>(Headers ?? new Dictionary<string, string>());
        if (header is { } extra)
        {
            headers[extra.Key] = extra.Value;
        }

        return new UploadException(Kind, Detail, InnerException) { Headers = headers, ClosesConnection = closesConnection || ClosesConnection, Logged = Logged, Extensions = Extensions };
    }

    internal static UploadException BadRequest(string detail) => new(UploadErrorKind.BadRequest, detail);

    internal static UploadException TooLarge(long limit) => new(UploadErrorKind.TooLarge, $"The upload is larger than the limit of {limit} bytes.");

    internal static UploadException DiskFull(Exception inner) => new(UploadErrorKind.DiskFull, "There is not enough free space to store the upload.", inner);

    internal static UploadException TooManyUploads() => new(UploadErrorKind.TooManyUploads, "Too many uploads are in progress; try again shortly.")
    {
        Headers = new Dictionary<string, string> { ["Retry-After"] = "1" },
    };
}
