namespace AspNetStreaming.Producers;

/// <summary>Produces bytes that are already in memory.</summary>
/// <param name="content">The body.</param>
/// <param name="readSize">The chunk size.</param>
public sealed class MemoryBodyProducer(ReadOnlyMemory<byte> content, int readSize = BodyProducer.DefaultReadSize) : BodyProducer(readSize)
{
    private ReadOnlyMemory<byte> _remaining = content;

    /// <inheritdoc />
    public override long? Length { get; } = content.Length;

    /// <inheritdoc />
    protected internal override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var count = Math.Min(destination.Length, _remaining.Length);
        _remaining[..count].CopyTo(destination);
        _remaining = _remaining[count..];
        return ValueTask.FromResult(count);
    }
}
