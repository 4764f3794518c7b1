namespace AspNetStreaming.Producers;

/// <summary>Bytes in memory.</summary>
internal sealed class MemorySource(ReadOnlyMemory<byte> content) : RandomAccessSource
{
    public override long? Length => content.Length;

    /// <summary>Copying from memory cannot fail.</summary>
    public override bool SendsHeadersFirst => true;

    public override ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var available = content.Span[(int)Math.Min(offset, content.Length)..];
        var count = Math.Min(available.Length, destination.Length);
        available[..count].CopyTo(destination.Span);
        return ValueTask.FromResult(count);
    }

    public override void Dispose()
    {
        // Nothing owned: the memory belongs to the caller.
    }
}
