using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>The resumable upload protocol's request fields, parsed strictly (a malformed one is a 400).</summary>
internal static class ResumableHeaders
{
    // Upload-Complete is a structured boolean: ?1 or ?0.
    public static bool ParseComplete(HttpRequest request)
    {
        var value = request.Headers["Upload-Complete"].ToString().Trim();
        return value switch
        {
            "?1" => true,
            "?0" => false,
            _ => throw UploadException.BadRequest("Upload-Complete must be ?1 or ?0."),
        };
    }

    public static long? ParseLength(HttpRequest request) => ParseInteger(request, "Upload-Length", required: false);

    public static long? ParseOffset(HttpRequest request, bool required) => ParseInteger(request, "Upload-Offset", required);

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
