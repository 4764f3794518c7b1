using AspNetStreaming.Producers;

namespace AspNetStreaming.Producers;

/// <summary>A stream: from its position when the result runs to its end. Seekable streams have a length and
/// offer ranges; other streams are sent whole, chunked.</summary>
internal sealed class StreamSource : RandomAccessSource
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly int _readSize;
    private readonly long _origin;

    public StreamSource(Stream stream, bool leaveOpen, int readSize)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _readSize = readSize;
        if (stream.CanSeek)
        {
            _origin = stream.Position;
            Length = Math.Max(0, stream.Length - _origin);
        }
    }

    public override long? Length { get; }

    public override BodyProducer CreateUnboundedProducer() => new StreamBodyProducer(_stream, _leaveOpen, _readSize);

    public override ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var position = _origin + offset;
        if (_stream.Position != position)
        {
            _stream.Position = position;
        }

        return _stream.ReadAsync(destination, cancellationToken);
    }

    public override void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
