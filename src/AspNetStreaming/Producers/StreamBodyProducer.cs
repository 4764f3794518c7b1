namespace AspNetStreaming.Producers;

/// <summary>
/// Produces the content of any readable <see cref="Stream"/> (Twisted's <c>FileBodyProducer</c> semantics).
/// For a seekable stream the length is the bytes from its current position to its end (the position is not
/// changed by asking) and exactly that many bytes are sent; for a non-seekable one the length is unknown and
/// the stream is read to its end.
/// </summary>
public sealed class StreamBodyProducer : BodyProducer
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private long _remaining;

    /// <summary>Produces <paramref name="stream"/> from its current position.</summary>
    /// <param name="stream">A readable stream.</param>
    /// <param name="leaveOpen">Whether to leave the stream open when done; by default the producer disposes it.</param>
    /// <param name="readSize">The chunk size.</param>
    public StreamBodyProducer(Stream stream, bool leaveOpen = false, int readSize = DefaultReadSize)
        : base(readSize)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        Length = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;
        _remaining = Length ?? long.MaxValue;
    }

    /// <inheritdoc />
    public override long? Length { get; }

    /// <inheritdoc />
    protected internal override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_remaining <= 0)
        {
            return 0;
        }

        if (destination.Length > _remaining)
        {
            destination = destination[..(int)_remaining];
        }

        var read = await _stream.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        _remaining -= read;
        return read;
    }

    /// <inheritdoc />
    protected internal override ValueTask CloseAsync() => _leaveOpen ? default : _stream.DisposeAsync();
}
