using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>
/// The <c>Upload-Draft-Interop-Version</c>s served, chosen per request: clients in the field speak more than one
/// draft (tus-js-client's <c>ietf-draft-03</c> sends 5, its <c>ietf-draft-05</c> sends 6), and the drafts differ
/// in what an append must carry. A request without the header (or with one we do not know) gets the latest rules.
/// </summary>
internal static class ResumableInterop
{
    /// <summary>draft-ietf-httpbis-resumable-upload-05.</summary>
    public const string Latest = "6";

    /// <summary>draft-ietf-httpbis-resumable-upload-03: appends carry any (or no) media type.</summary>
    public const string Draft03 = "5";

    private const string Header = "Upload-Draft-Interop-Version";

    /// <summary>The version whose rules apply to <paramref name="request"/> (and which the response names).</summary>
    public static string Of(HttpRequest request) => Sent(request) == Draft03 ? Draft03 : Latest;

    /// <summary>Whether the client named a version we implement (only such clients get a 104).</summary>
    public static bool IsNamedBy(HttpRequest request) => Sent(request) is Draft03 or Latest;

    /// <summary>From interop version 6 on, an append must be <c>application/partial-upload</c>.</summary>
    public static bool RequiresPartialUploadMediaType(string version) => version != Draft03;

    /// <summary>Names the version in the response.</summary>
    public static void Answer(HttpContext context) => context.Response.Headers[Header] = Of(context.Request);

    private static string Sent(HttpRequest request) => request.Headers[Header].ToString().Trim();
}
