namespace AspNetStreaming.Producers;

/// <summary>
/// Produces the content of any readable <see cref="Stream"/> (Twisted's <c>FileBodyProducer</c> semantics).
/// For a seekable stream the length is the bytes from its current position to its end (the position is not
/// changed by asking) and exactly that many bytes are sent; for a non-seekable one the length is unknown and
/// the stream is read to its end. The same stream source and reader as a stream result of this library, on the
/// one pump.
/// </summary>
public sealed class StreamBodyProducer : BodyProducer
{
    private readonly StreamSource _source;
    private readonly SourceReader _reader;

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

        _source = new StreamSource(stream, leaveOpen);
        _reader = SourceReader.ForRange(_source, 0, _source.Length);
    }

    /// <inheritdoc />
    public override long? Length => _reader.Length;

    /// <inheritdoc />
    protected internal override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        => _reader.ReadAsync(destination, cancellationToken);

    /// <inheritdoc />
    protected internal override ValueTask CloseAsync() => _source.CloseAsync();
}
