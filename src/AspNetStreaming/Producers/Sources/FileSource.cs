using AspNetStreaming.IO;

namespace AspNetStreaming.Producers;

/// <summary>
/// A physical file opened once per request. Its length, last write time and file id are read from the open handle,
/// so the validators describe exactly the bytes that will be sent; ranges are read from the same handle at
/// explicit offsets (<see cref="RandomAccess"/>, straight into the response's memory). If the file shrinks
/// afterwards, <see cref="SourceBodyProducer"/> faults rather than send a short body; if it grows, only
/// the announced bytes are sent. If it was rewritten in place while being sent (its write time moved and it did not
/// grow), the read that ends a range fails, so the response is cut off instead of ending cleanly with old and new bytes
/// under the old strong validator (RFC 9110 8.8.3); a file that only grew is taken for an append, whose announced
/// bytes did not change.
/// </summary>
internal sealed class FileSource : RandomAccessSource
{
    private readonly AsyncFile _file;
    private readonly FileStamp _stamp;
    private readonly bool _ownsFile;
    private readonly OpenFileCache.Lease? _lease;
    private long _rangeStart; // where the range being read starts (WillRead)
    private long _rangeEnd = -1; // where it ends; -1: the end of the file

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

    public override void WillRead(long start, long length)
        => (_rangeStart, _rangeEnd) = (start, length >= _stamp.Length - start ? _stamp.Length : start + length);

    public override ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var read = _file.ReadAsync(offset, destination, cancellationToken);
        var end = _rangeEnd < 0 ? _stamp.Length : _rangeEnd;

        // Only a range read in more than one read can mix versions, and only its last read can tell: a range of one read
        // (a 64 KiB request) pays nothing.
        return offset + destination.Length < end || offset == _rangeStart ? read : CheckedAtEndAsync(read, offset, end);
    }

    // The read that may end the range: after it, one fstat says whether the file is still the one the validators describe.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> CheckedAtEndAsync(ValueTask<int> pending, long offset, long end)
    {
        var read = await pending.ConfigureAwait(false);
        if (read > 0 && offset + read >= end && FileStamp.Of(_file.Handle) is var now
            && now.LastWriteUtc != _stamp.LastWriteUtc && now.Length <= _stamp.Length)
        {
            throw new IOException("The file was rewritten while it was being sent; the response is cut off rather than end with bytes of two versions.");
        }

        return read;
    }

    public override void Dispose()
    {
        _lease?.Dispose();
        if (_ownsFile)
        {
            _file.Dispose();
        }
    }
}
