namespace AspNetStreaming.Producers;

/// <summary>Produces bytes that are already in memory (the same source and reader as every seekable body).</summary>
/// <param name="content">The body.</param>
/// <param name="readSize">The chunk size.</param>
public sealed class MemoryBodyProducer(ReadOnlyMemory<byte> content, int readSize = BodyProducer.DefaultReadSize) : BodyProducer(readSize)
{
    private readonly SourceReader _reader = SourceReader.ForRange(new MemorySource(content), 0, content.Length);

    /// <inheritdoc />
    public override long? Length { get; } = content.Length;

    /// <inheritdoc />
    protected internal override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        => _reader.ReadAsync(destination, cancellationToken);
}
