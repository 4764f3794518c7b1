using Microsoft.AspNetCore.StaticFiles;

namespace AspNetStreaming.Http;

/// <summary>Content types from file name extensions.</summary>
internal static class ContentTypes
{
    /// <summary>The type sent when the extension is unknown.</summary>
    public const string Default = "application/octet-stream";

    private static readonly FileExtensionContentTypeProvider Provider = new();

    /// <summary>The content type for <paramref name="fileName"/>'s extension, or <see cref="Default"/>.</summary>
    public static string FromFileName(string fileName)
        => Provider.TryGetContentType(fileName, out var contentType) ? contentType : Default;
}
