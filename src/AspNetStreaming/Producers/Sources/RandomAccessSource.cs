namespace AspNetStreaming.Producers;

/// <summary>
/// The one model of a seekable body (a file, a seekable stream, bytes in memory): it knows its length (when it can)
/// and its default validators, and reads at any offset, so a body of it can be whole, one range or many
/// (<see cref="SourceBodyProducer"/>). Once a body producer is made for it, the producer owns it; until then whoever
/// made it does (a file-like result, while it evaluates ranges and preconditions).
/// </summary>
internal abstract class RandomAccessSource : IDisposable
{
    /// <summary>The length in bytes; <see langword="null"/> when unknown (ranges are then not offered).</summary>
    public abstract long? Length { get; }

    /// <summary>The quoted strong entity tag the source offers by default, if any.</summary>
    public virtual string? DefaultEntityTag => null;

    /// <summary>The media type the source stores with its bytes (a blob's content type), if any; otherwise the
    /// response takes it from the name.</summary>
    public virtual string? ContentType => null;

    /// <summary>The last modification time the source offers by default, if any.</summary>
    public virtual DateTimeOffset? DefaultLastModified => null;

    /// <summary><see cref="DefaultLastModified"/> as a <c>Last-Modified</c> field value, when the source keeps it formatted
    /// (a cached file, the same for every request); otherwise the response formats it.</summary>
    public virtual string? FormattedLastModified => null;

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/> (within
    /// <see cref="Length"/>); 0 means the representation ended (early, when it shrank). A source without a length
    /// may be read forward only: each offset the end of the previous read.</summary>
    public abstract ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>Says that the next reads are the range <paramref name="start"/> (for <paramref name="length"/> bytes,
    /// <see cref="long.MaxValue"/> for "to the end"), so a remote source asks for that range and no more. A hint:
    /// reads may still come at any offset.</summary>
    public virtual void WillRead(long start, long length)
    {
    }

    /// <summary>Whether a response may commit its headers before the first read: true when the bytes are
    /// already open and measured, so a failing first read is as unlikely as a failing later one (a response
    /// that committed its headers can only abort, no longer answer 500).</summary>
    public virtual bool SendsHeadersFirst => false;

    /// <summary>Releases what the source owns (the file, the stream).</summary>
    public abstract void Dispose();

    /// <summary>Releases what the source owns, asynchronously where the source can (a stream).</summary>
    public virtual ValueTask CloseAsync()
    {
        Dispose();
        return default;
    }
}
