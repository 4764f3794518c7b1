namespace AspNetStreaming.Http;

/// <summary>Settings of the open-file cache of a file mapping (<c>MapFiles</c>, <c>UseStreamingStaticFiles</c>);
/// bound from <c>Streaming:Files:OpenFileCache</c>.</summary>
/// <remarks>The cache keeps a file open across requests and checks on every request, with one <c>stat</c> of its
/// path, that the file there is still the one it holds (device, inode, length, modification and status-change
/// times); anything else reopens it. So a replaced, rewritten, re-linked, removed or re-permissioned file is seen on
/// the very next request, unlike a cache trusted for a period. Used on 64-bit Linux (the only platform that gives
/// .NET a file's inode); elsewhere every request opens the file.</remarks>
public sealed class OpenFileCacheOptions
{
    /// <summary>Whether files are kept open across requests. On by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The most files kept open (least recently used closed first). 1,000 by default.</summary>
    public int MaxEntries { get; set; } = 1000;

    /// <summary>How long an unused file stays open. 60 seconds by default.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    internal string? Problem() => MaxEntries <= 0 ? "OpenFileCache:MaxEntries must be positive."
        : IdleTimeout <= TimeSpan.Zero ? "OpenFileCache:IdleTimeout must be positive."
        : null;
}
