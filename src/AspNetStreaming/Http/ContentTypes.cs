using Microsoft.AspNetCore.StaticFiles;

namespace AspNetStreaming.Http;

/// <summary>Content types from file name extensions.</summary>
internal static class ContentTypes
{
    /// <summary>The type sent when the extension is unknown.</summary>
    public const string Default = "application/octet-stream";

    private static readonly FileExtensionContentTypeProvider Provider = new();

    // The provider's own table, looked up by the extension's span: its TryGetContentType cuts the extension out as a
    // new string on every request.
    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>>? ByExtension
        = Provider.Mappings is Dictionary<string, string> mappings && mappings.TryGetAlternateLookup<ReadOnlySpan<char>>(out var lookup) ? lookup : null;

    /// <summary>The content type for <paramref name="fileName"/>'s extension, or <see cref="Default"/>.</summary>
    public static string FromFileName(string fileName)
    {
        if (ByExtension is not { } lookup)
        {
            return Provider.TryGetContentType(fileName, out var contentType) ? contentType : Default;
        }

        // The same extension as the provider's: from the last dot on, dot included.
        var dot = fileName.LastIndexOf('.');
        return dot >= 0 && lookup.TryGetValue(fileName.AsSpan(dot), out var type) ? type : Default;
    }
}
