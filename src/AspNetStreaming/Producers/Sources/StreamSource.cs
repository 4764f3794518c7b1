namespace AspNetStreaming.Producers;

/// <summary>A stream, from its position when the source is made to its end. A seekable stream has a length and is
/// read at any offset (so it offers ranges); any other stream is read forward only, once, and has no length.</summary>
internal sealed class StreamSource : RandomAccessSource
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _origin;
    private long _consumed;

    public StreamSource(Stream stream, bool leaveOpen)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        if (stream.CanSeek)
        {
            _origin = stream.Position;
            Length = Math.Max(0, stream.Length - _origin);
        }
    }

    public override long? Length { get; }

    public override async ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_stream.CanSeek)
        {
            var position = _origin + offset;
            if (_stream.Position != position)
            {
                _stream.Position = position;
            }
        }
        else if (offset != _consumed)
        {
            throw new InvalidOperationException($"A stream that cannot seek is read forward only: offset {offset} was asked after {_consumed} bytes.");
        }

        var read = await _stream.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        _consumed = offset + read;
        return read;
    }

    public override void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    public override ValueTask CloseAsync() => _leaveOpen ? default : _stream.DisposeAsync();
}
