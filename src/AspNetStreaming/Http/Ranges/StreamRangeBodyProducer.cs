using AspNetStreaming.Producers;

namespace AspNetStreaming.Http.Ranges;

/// <summary>
/// Produces a byte range of a seekable stream it does not own: it seeks when it starts (so several of them can
/// take turns on one stream inside a multipart body) and faults if the stream ends before the range does.
/// </summary>
internal sealed class StreamRangeBodyProducer(Stream stream, long offset, long length, int readSize) : BodyProducer(readSize)
{
    private readonly long _length = length;
    private long _remaining = length;
    private bool _positioned;

    public override long? Length => _length;

    protected internal override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_remaining <= 0)
        {
            return 0;
        }

        if (!_positioned)
        {
            stream.Position = offset;
            _positioned = true;
        }

        if (destination.Length > _remaining)
        {
            destination = destination[..(int)_remaining];
        }

        var read = await stream.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new EndOfStreamException($"The stream ended {_remaining} bytes before the end of the range at {offset}+{_length}.");
        }

        _remaining -= read;
        return read;
    }
}
