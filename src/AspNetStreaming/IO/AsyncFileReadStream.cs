namespace AspNetStreaming.IO;

/// <summary>
/// An <see cref="AsyncFile"/> read front to back as a read-only <see cref="Stream"/>, for APIs that take one (a
/// <see cref="System.IO.Pipelines.PipeReader"/> over it). Every read names its offset: there is no FileStream
/// buffer or shared position underneath. Reading ends at the end of the file as it is when that is reached, so a
/// file that grows while it is read is read on.
/// </summary>
internal sealed class AsyncFileReadStream : Stream
{
    private readonly AsyncFile _file;
    private readonly bool _ownsFile;
    private long _position;

    /// <param name="file">The file; it must allow reads.</param>
    /// <param name="offset">Where the first read starts.</param>
    /// <param name="ownsFile">Whether disposing the stream disposes the file.</param>
    public AsyncFileReadStream(AsyncFile file, long offset = 0, bool ownsFile = true)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        _file = file;
        _position = offset;
        _ownsFile = ownsFile;
    }

    /// <inheritdoc />
    public override bool CanRead => !_file.IsClosed;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _file.ReadAsync(_position, buffer, cancellationToken).ConfigureAwait(false);
        _position += read;
        return read;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var read = RandomAccess.Read(_file.Handle, buffer, _position);
        _position += read;
        return read;
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsFile)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
