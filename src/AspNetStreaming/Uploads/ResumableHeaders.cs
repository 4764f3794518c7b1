using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>The resumable upload protocol's request fields, parsed strictly (a malformed one is a 400).</summary>
internal static class ResumableHeaders
{
    // Upload-Complete is a structured boolean: ?1 or ?0.
    public static bool ParseComplete(HttpRequest request)
    {
        // A structured-field Boolean (RFC 8941): its parameters, if any, are ignored.
        var field = request.Headers["Upload-Complete"].ToString();
        var value = field.AsSpan(0, field.IndexOf(';') is >= 0 and var semicolon ? semicolon : field.Length).Trim();
        return value switch
        {
            "?1" => true,
            "?0" => false,
            _ => throw UploadException.BadRequest("Upload-Complete must be ?1 or ?0."),
        };
    }

    public static long? ParseLength(HttpRequest request) => ParseInteger(request, "Upload-Length", required: false);

    public static long? ParseOffset(HttpRequest request, bool required) => ParseInteger(request, "Upload-Offset", required);

    /// <summary>An error that tells the client where the upload stands (<c>Upload-Offset</c>), so it can resume.</summary>
    public static UploadException WithOffset(UploadErrorKind kind, long offset, string detail, Exception? inner = null)
        => new(kind, detail, inner) { Headers = new Dictionary<string, string> { ["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture) } };

    /// <summary>The request's <c>Upload-Offset</c> is not the upload's.</summary>
    public static UploadException OffsetMismatch(long offset, long requested)
        => new(UploadErrorKind.OffsetMismatch, $"The upload's offset is {offset}, not {requested}.")
        {
            Headers = new Dictionary<string, string> { ["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture) },
            // The members the draft's mismatching-upload-offset problem type defines, for a client reading the body.
            Extensions = new Dictionary<string, object?> { ["expected-offset"] = offset, ["provided-offset"] = requested },
        };

    /// <summary>The URL path of the upload collection the request went to (what an upload's id is appended to), taken
    /// from the request itself: the path base, any route group and the mapping's prefix, as the client reached them.
    /// A request to one upload (<c>{id}</c>) or one name (<c>{name}</c>) drops that last segment.</summary>
    public static string CollectionPath(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        if (request.RouteValues.ContainsKey("id") || request.RouteValues.ContainsKey("name"))
        {
            path = path[..Math.Max(0, path.LastIndexOf('/'))];
        }

        return request.PathBase.Add(new PathString(path.TrimEnd('/'))).ToUriComponent();
    }

    public static long? ParseInteger(HttpRequest request, string field, bool required)
    {
        var value = request.Headers[field].ToString().Trim();
        if (value.Length == 0)
        {
            return required ? throw UploadException.BadRequest($"{field} is required.") : null;
        }

        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && value.Length <= 15
            ? number
            : throw UploadException.BadRequest($"{field} must be a non-negative integer.");
    }
}
