namespace AspNetStreaming.Uploads;

/// <summary>Factories for the upload <see cref="Microsoft.AspNetCore.Http.IResult"/> types.</summary>
public static class UploadResults
{
    /// <summary>201 + <c>Location</c> for a new file, 204 for a replaced one.</summary>
    /// <param name="upload">What was stored.</param>
    /// <param name="location">The new file's URL; sent with 201 only.</param>
    public static UploadStoredHttpResult Stored(StoredUpload upload, string? location)
    {
        ArgumentNullException.ThrowIfNull(upload);
        return new([upload], location, fields: null, alwaysCreated: false);
    }

    /// <summary>201 describing every file of a multipart upload and its form fields.</summary>
    /// <param name="files">The published files.</param>
    /// <param name="fields">The form's fields.</param>
    /// <param name="location">A <c>Location</c> to send, if any.</param>
    public static UploadStoredHttpResult Stored(IReadOnlyList<StoredUpload> files, IReadOnlyDictionary<string, string> fields, string? location = null)
        => new(files, location, fields, alwaysCreated: true);

    /// <summary>The ProblemDetails for a refused or failed upload.</summary>
    /// <param name="error">What the upload methods threw: its kind decides the status, its detail the text.</param>
    public static UploadProblemHttpResult Problem(UploadException error) => new(error);
}
