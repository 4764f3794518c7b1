namespace AspNetStreaming.Producers;

/// <summary>
/// Produces the chunks an asynchronous sequence yields (a generator or a transform of another body). Each
/// chunk is copied into the writer's memory before the next one is requested, so a generator may reuse one
/// buffer for every chunk it yields.
/// </summary>
/// <remarks>Pass <c>length</c> when the total is known (to send a <c>Content-Length</c>); the producer then
/// faults if the sequence yields a different number of bytes.</remarks>
public sealed class GeneratorBodyProducer : BodyProducer
{
    private readonly IAsyncEnumerable<ReadOnlyMemory<byte>> _chunks;
    private IAsyncEnumerator<ReadOnlyMemory<byte>>? _enumerator;
    private ReadOnlyMemory<byte> _pending;

    /// <summary>Produces <paramref name="chunks"/>.</summary>
    /// <param name="chunks">The body, chunk by chunk.</param>
    /// <param name="length">The total number of bytes, when known.</param>
    /// <param name="readSize">The most bytes copied per pump step.</param>
    public GeneratorBodyProducer(IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, long? length = null, int readSize = DefaultReadSize)
        : base(readSize)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        _chunks = chunks;
        Length = length;
    }

    /// <inheritdoc />
    public override long? Length { get; }

    /// <inheritdoc />
    protected internal override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        _enumerator ??= _chunks.GetAsyncEnumerator(cancellationToken);
        while (_pending.IsEmpty)
        {
            if (!await _enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                return 0;
            }

            _pending = _enumerator.Current;
        }

        var count = Math.Min(destination.Length, _pending.Length);
        _pending[..count].CopyTo(destination);
        _pending = _pending[count..];
        return count;
    }

    /// <inheritdoc />
    protected internal override ValueTask CloseAsync() => _enumerator?.DisposeAsync() ?? default;
}
