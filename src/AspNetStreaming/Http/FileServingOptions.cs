namespace AspNetStreaming.Http;

/// <summary>Settings for serving a directory with <c>MapFiles</c>; bound from <c>Streaming:Files</c>.</summary>
public sealed class FileServingOptions
{
    /// <summary>The directory to serve. A relative path is taken from the app's content root. With a store configured
    /// (<c>Streaming:Storage:Provider</c> <c>AzureBlob</c>), <c>MapFiles</c> serves the store's names instead, whatever
    /// the root; serve the app's own assets from the disk with <c>UseStreamingStaticFiles</c>, which always reads the
    /// disk. <c>wwwroot</c> by default, the folder ASP.NET serves its static files from.</summary>
    public string Root { get; set; } = "wwwroot";

    /// <summary>Whether files and directories whose names start with a dot may be served. Off by default.</summary>
    public bool AllowDotFiles { get; set; }

    /// <summary>The chunk size for reading files; <see cref="StreamingResults.DefaultFileReadSize"/> by default.</summary>
    public int ReadSize { get; set; } = StreamingResults.DefaultFileReadSize;

    /// <summary>Whether <c>Range</c> requests are honoured. On by default.</summary>
    public bool EnableRangeProcessing { get; set; } = true;

    /// <summary>The most ranges honoured in one request (denial-of-service guard); a request with more gets the
    /// whole file. 16 by default.</summary>
    public int MaxRanges { get; set; } = Ranges.ByteRangeParser.DefaultMaxRanges;

    /// <summary>The <c>Cache-Control</c> value sent with file responses (200, 206, 304), if any.</summary>
    public string? CacheControl { get; set; }

    /// <summary>The cache of open files (on by default); see <see cref="OpenFileCacheOptions"/>.</summary>
    public OpenFileCacheOptions OpenFileCache { get; set; } = new();

    internal static OptionsRules<FileServingOptions> Rules { get; } = new("Streaming:Files", o =>
        o.ReadSize <= 0 ? "ReadSize must be positive."
        : o.MaxRanges <= 0 ? "MaxRanges must be positive."
        : string.IsNullOrEmpty(o.Root) ? "Root must name a directory."
        : o.OpenFileCache is null ? "OpenFileCache must be set."
        : o.OpenFileCache.Problem());

    /// <summary>What each file result of a mapping reads (one instance per mapping; results only read it).</summary>
    internal FileResultOptions ToResultOptions() => new()
    {
        ReadSize = ReadSize,
        EnableRangeProcessing = EnableRangeProcessing,
        MaxRanges = MaxRanges,
        CacheControl = CacheControl,
    };
}
