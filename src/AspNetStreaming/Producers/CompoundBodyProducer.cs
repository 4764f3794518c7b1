namespace AspNetStreaming.Producers;

/// <summary>
/// Produces several producers one after another through a single pump (concatenation). The parts belong to
/// the compound: each is closed as soon as it is exhausted, and all are closed when the compound stops or
/// fails. The length is the sum of the parts' lengths, or unknown if any part's is.
/// </summary>
public sealed class CompoundBodyProducer : BodyProducer
{
    private readonly BodyProducer[] _parts;
    private int _current;

    /// <summary>Concatenates <paramref name="parts"/>.</summary>
    public CompoundBodyProducer(IEnumerable<BodyProducer> parts, int readSize = DefaultReadSize)
        : base(readSize)
    {
        ArgumentNullException.ThrowIfNull(parts);
        _parts = [.. parts];
        long total = 0;
        foreach (var part in _parts)
        {
            if (part.Length is not { } length)
            {
                Length = null;
                return;
            }

            total += length;
        }

        Length = total;
    }

    /// <inheritdoc />
    public override long? Length { get; }

    /// <summary>The parts, in order.</summary>
    public IReadOnlyList<BodyProducer> Parts => _parts;

    /// <inheritdoc />
    protected internal override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (_current < _parts.Length)
        {
            var read = await _parts[_current].ReadAsync(destination, cancellationToken).ConfigureAwait(false);
            if (read > 0)
            {
                return read;
            }

            await _parts[_current].CloseAsync().ConfigureAwait(false);
            _current++;
        }

        return 0;
    }

    /// <inheritdoc />
    protected internal override async ValueTask CloseAsync()
    {
        List<Exception>? errors = null;
        for (; _current < _parts.Length; _current++)
        {
            try
            {
                await _parts[_current].CloseAsync().ConfigureAwait(false);
            }
            catch (Exception error)
            {
                (errors ??= []).Add(error);
            }
        }

        if (errors is not null)
        {
            throw new AggregateException("Closing the parts of a compound producer failed.", errors);
        }
    }
}
