namespace AspNetStreaming.Http;

/// <summary>Settings for serving a directory with <c>MapFiles</c>; bound from <c>Streaming:Files</c>.</summary>
public sealed class FileServingOptions
{
    /// <summary>The directory to serve. A relative path is taken from the app's content root.</summary>
    public string Root { get; set; } = "demo-content";

    /// <summary>Whether files and directories whose names start with a dot may be served. Off by default.</summary>
    public bool AllowDotFiles { get; set; }

    /// <summary>The chunk size for reading files; <see cref="StreamingResults.DefaultFileReadSize"/> by default.</summary>
    public int ReadSize { get; set; } = StreamingResults.DefaultFileReadSize;
}
