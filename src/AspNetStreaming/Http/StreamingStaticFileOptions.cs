using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace AspNetStreaming.Http;

/// <summary>
/// Settings of <c>UseStreamingStaticFiles</c>: the shape of ASP.NET's <c>StaticFileOptions</c> (request path, file
/// provider, content types, <c>OnPrepareResponse</c>) plus what the library serves files with (ranges, read size,
/// the open-file cache).
/// </summary>
public sealed class StreamingStaticFileOptions
{
    /// <summary>The URL path the files are served under (<c>/static</c> serves <c>/static/a.css</c>); the root by default.</summary>
    public PathString RequestPath { get; set; }

    /// <summary>Where the files come from. A <see cref="PhysicalFileProvider"/> is served from its root with the
    /// library's path safety and open-file cache; any other provider (embedded, composite) through the files' streams,
    /// with ranges when a stream can seek. When neither this nor <see cref="Root"/> is set, the app's web root
    /// (<c>IWebHostEnvironment.WebRootFileProvider</c>), as <c>UseStaticFiles</c> does.</summary>
    public IFileProvider? FileProvider { get; set; }

    /// <summary>A directory to serve instead of a <see cref="FileProvider"/>; a relative path is taken from the content root.</summary>
    public string? Root { get; set; }

    /// <summary>Maps file names to content types. Unknown names are not served unless <see cref="ServeUnknownFileTypes"/>.</summary>
    public IContentTypeProvider ContentTypeProvider { get; set; } = new FileExtensionContentTypeProvider();

    /// <summary>Whether files whose type <see cref="ContentTypeProvider"/> does not know are served (as
    /// <see cref="DefaultContentType"/>). Off by default: such requests pass to the next middleware.</summary>
    public bool ServeUnknownFileTypes { get; set; }

    /// <summary>The type of a file of unknown type when <see cref="ServeUnknownFileTypes"/> is on;
    /// <c>application/octet-stream</c> by default.</summary>
    public string? DefaultContentType { get; set; }

    /// <summary>Called for each file response once its status (200, 206, 304, 412, 416), validators and
    /// <c>Content-Type</c> are set, as <c>StaticFileOptions.OnPrepareResponse</c> is: to add headers
    /// (<c>Cache-Control</c>, say), change the <c>Content-Type</c>, or refuse with a status of its own (an authorization
    /// check's 401), which then stands with nothing of the file sent.</summary>
    public Action<StaticFileResponseContext>? OnPrepareResponse { get; set; }

    /// <summary>Whether files and directories whose names start with a dot may be served. Off by default.</summary>
    public bool AllowDotFiles { get; set; }

    /// <summary>Whether <c>Range</c> requests are honoured. On by default.</summary>
    public bool EnableRangeProcessing { get; set; } = true;

    /// <summary>The most ranges honoured in one request; a request with more gets the whole file. 16 by default.</summary>
    public int MaxRanges { get; set; } = Ranges.ByteRangeParser.DefaultMaxRanges;

    /// <summary>The chunk size for reading files; <see cref="StreamingResults.DefaultFileReadSize"/> by default.</summary>
    public int ReadSize { get; set; } = StreamingResults.DefaultFileReadSize;

    /// <summary>The <c>Cache-Control</c> value sent with file responses (200, 206, 304), if any.</summary>
    public string? CacheControl { get; set; }

    /// <summary>The cache of open files (on by default) for physical files; see <see cref="OpenFileCacheOptions"/>.</summary>
    public OpenFileCacheOptions OpenFileCache { get; set; } = new();

    /// <summary>The same settings as a file mapping's, so that both are checked by one set of rules and served by one engine.</summary>
    internal FileServingOptions ToServingOptions() => new()
    {
        Root = Root ?? ".",
        AllowDotFiles = AllowDotFiles,
        EnableRangeProcessing = EnableRangeProcessing,
        MaxRanges = MaxRanges,
        ReadSize = ReadSize,
        CacheControl = CacheControl,
        OpenFileCache = OpenFileCache,
    };
}
