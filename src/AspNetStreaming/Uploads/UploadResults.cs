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
    public static UploadStoredHttpResult Stored(IReadOnlyList<StoredUpload> files, IReadOnlyDictionary<string, string> fields, string? location = null)
        => new(files, location, fields, alwaysCreated: true);

    /// <summary>The ProblemDetails for a refused or failed upload.</summary>
    public static UploadProblemHttpResult Problem(UploadException error) => new(error);
}
