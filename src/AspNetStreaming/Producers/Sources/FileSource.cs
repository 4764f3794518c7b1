using AspNetStreaming.IO;

namespace AspNetStreaming.Producers;

/// <summary>
/// A physical file opened once per request. Its length, last write time and file id are read from the open handle,
/// so the validators describe exactly the bytes that will be sent; ranges are read from the same handle at
/// explicit offsets (<see cref="RandomAccess"/>, straight into the response's memory). If the file shrinks
/// afterwards, <see cref="SourceBodyProducer"/> faults rather than send a short body; if it grows, only
/// the announced bytes are sent.
/// </summary>
internal sealed class FileSource : RandomAccessSource
{
    private readonly AsyncFile _file;
    private readonly FileStamp _stamp;
    private readonly bool _ownsFile;
    private readonly OpenFileCache.Lease? _lease;

    /// <param name="file">The open file.</param>
    /// <param name="ownsFile">Whether disposing the source (or failing to read its stamp) closes the file.</param>
    public FileSource(AsyncFile file, bool ownsFile = true)
    {
        _file = file;
        _ownsFile = ownsFile;
        try
        {
            _stamp = FileStamp.Of(file.Handle); // one fstat on Linux: length, time and inode together
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>A file rented from the open-file cache: its stamp and validators are those of the identity the cache just
    /// validated (no second <c>fstat</c>, no formatting per request), and disposing the source returns the lease
    /// instead of closing the file.</summary>
    public FileSource(OpenFileCache.Lease lease)
    {
        _file = lease.Entry.File;
        _stamp = lease.Entry.Stamp;
        _lease = lease;
    }

    /// <summary>The file read from.</summary>
    public AsyncFile File => _file;

    public override long? Length => _stamp.Length;

    /// <summary>The file is open and its length read from the handle; the first read is no riskier than the rest.</summary>
    public override bool SendsHeadersFirst => true;

    /// <inheritdoc cref="FileEntityTag.Create"/>
    public override string? DefaultEntityTag => _lease?.Entry.EntityTag ?? FileEntityTag.Create(_stamp);

    public override string? FormattedLastModified => _lease?.Entry.LastModified;

    public override DateTimeOffset? DefaultLastModified => new DateTimeOffset(_stamp.LastWriteUtc, TimeSpan.Zero);

    public override ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
        => _file.ReadAsync(offset, destination, cancellationToken);

    public override void Dispose()
    {
        _lease?.Dispose();
        if (_ownsFile)
        {
            _file.Dispose();
        }
    }
}
