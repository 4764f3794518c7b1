namespace AspNetStreaming.Producers;

/// <summary>A stream, from its position when the source is made to its end. A seekable stream has a length and is
/// read at any offset (so it offers ranges); any other stream is read forward only, once, and has no length unless its
/// owner knows it (a file provider's <c>IFileInfo.Length</c>): then ranges, which are sorted and coalesced, are read by
/// skipping forward to each.</summary>
internal sealed class StreamSource : RandomAccessSource
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _origin;
    private long _consumed;

    public StreamSource(Stream stream, bool leaveOpen, long? knownLength = null)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        if (stream.CanSeek)
        {
            _origin = stream.Position;
            Length = Math.Max(0, stream.Length - _origin);
        }
        else
        {
            Length = knownLength;
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
        else if (offset < _consumed)
        {
            throw new InvalidOperationException($"A stream that cannot seek is read forward only: offset {offset} was asked after {_consumed} bytes.");
        }
        else
        {
            while (_consumed < offset)
            {
                // Skipped through the destination, which the read below overwrites anyway.
                var skipped = await _stream.ReadAsync(destination[..(int)Math.Min(destination.Length, offset - _consumed)], cancellationToken).ConfigureAwait(false);
                if (skipped == 0)
                {
                    return 0; // ended before the offset: the pump reports the short body
                }

                _consumed += skipped;
            }
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
