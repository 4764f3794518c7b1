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
    private long _partProduced; // bytes of the current part so far

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
    /// <remarks>Each part is held to its own length, as the pump holds a whole body to its: a part that ends short faults
    /// the production, and one that runs on past its length does too. The pump checks only the sum, which a short part
    /// followed by a long one would meet with the wrong bytes.</remarks>
    protected internal override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (_current < _parts.Length)
        {
            var part = _parts[_current];
            var slice = destination;
            if (part.Length is { } length)
            {
                var left = length - _partProduced;
                if (left == 0)
                {
                    // At its announced end it must have nothing more (one byte asked, as the pump's own probe does).
                    if (await part.ReadAsync(destination[..1], cancellationToken).ConfigureAwait(false) > 0)
                    {
                        throw new InvalidDataException($"Part {_current} of the body ran past the {length} bytes it announced.");
                    }

                    await NextPartAsync().ConfigureAwait(false);
                    continue;
                }

                if (left < slice.Length)
                {
                    slice = slice[..(int)left];
                }
            }

            var read = await part.ReadAsync(slice, cancellationToken).ConfigureAwait(false);
            if (read > 0)
            {
                _partProduced += read;
                return read;
            }

            if (part.Length is { } announced && _partProduced < announced)
            {
                throw new EndOfStreamException($"Part {_current} of the body ended after {_partProduced} of the {announced} bytes it announced.");
            }

            await NextPartAsync().ConfigureAwait(false);
        }

        return 0;
    }

    private async ValueTask NextPartAsync()
    {
        await _parts[_current].CloseAsync().ConfigureAwait(false);
        _current++;
        _partProduced = 0;
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
