using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>Answers a stored upload: 201 Created with <c>Location</c> and a small JSON description when the file
/// is new, 204 No Content when it replaced one; both carry <c>ETag</c>, <c>Repr-Digest</c> (sha-256 of what was
/// stored, when computed) and <c>Upload-Length</c> (the stored size).</summary>
public sealed class UploadStoredHttpResult : IResult, IStatusCodeHttpResult
{
    internal UploadStoredHttpResult(IReadOnlyList<StoredUpload> files, string? location, IReadOnlyDictionary<string, string>? fields, bool alwaysCreated)
    {
        Files = files;
        Location = location;
        Fields = fields;
        StatusCode = alwaysCreated || files.Any(f => !f.Replaced) ? StatusCodes.Status201Created : StatusCodes.Status204NoContent;
    }

    /// <summary>The stored files (one for a raw upload).</summary>
    public IReadOnlyList<StoredUpload> Files { get; }

    /// <summary>The <c>Location</c> sent with 201.</summary>
    public string? Location { get; }

    /// <summary>Form fields returned with a multipart upload.</summary>
    public IReadOnlyDictionary<string, string>? Fields { get; }

    /// <summary>201 or 204.</summary>
    public int StatusCode { get; }

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        if (Files.Count == 1)
        {
            var file = Files[0];
            if (file.ETag is not null)
            {
                response.Headers.ETag = file.ETag;
            }

            if (file.ReprDigest is not null)
            {
                response.Headers["Repr-Digest"] = file.ReprDigest;
            }

            response.Headers["Upload-Length"] = file.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (StatusCode == StatusCodes.Status204NoContent)
        {
            return;
        }

        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        response.ContentType = "application/json; charset=utf-8";
        // Relaxed escaping keeps base64 digests readable ('+' unescaped); the body is application/json, never HTML.
        await using var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteStartArray("files");
        foreach (var file in Files)
        {
            writer.WriteStartObject();
            if (file.FieldName is not null)
            {
                writer.WriteString("field", file.FieldName);
            }

            writer.WriteString("name", file.Name);
            writer.WriteNumber("length", file.Length);
            if (file.ReprDigest is not null)
            {
                writer.WriteString("reprDigest", file.ReprDigest);
            }

            writer.WriteBoolean("replaced", file.Replaced);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (Fields is not null)
        {
            writer.WriteStartObject("fields");
            foreach (var (key, value) in Fields)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }
}
