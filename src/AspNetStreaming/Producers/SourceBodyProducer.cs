namespace AspNetStreaming.Producers;

/// <summary>
/// The body of a file-like response (the whole representation, one range, or a <c>multipart/byteranges</c> body)
/// read by a <see cref="SourceReader"/> and run by the one pump. The length is exact and known before the first
/// byte, unless the source has none (a stream that cannot seek, sent whole). The producer owns the source and
/// disposes it when it closes, on every path.
/// </summary>
internal sealed class SourceBodyProducer(SourceReader reader, int readSize) : BodyProducer(readSize)
{
    public override long? Length { get; } = reader.Length;

    /// <summary>A body of one range of <paramref name="source"/> (the whole representation is the range 0..length).</summary>
    public static SourceBodyProducer ForRange(RandomAccessSource source, long start, long? length, int readSize)
        => new(SourceReader.ForRange(source, start, length), readSize);

    protected internal override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        => reader.ReadAsync(destination, cancellationToken);

    protected internal override ValueTask CloseAsync() => reader.Source.CloseAsync();
}
