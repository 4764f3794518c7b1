using AspNetStreaming.Producers;

namespace AspNetStreaming.Producers;

/// <summary>
/// The body of a file-like response: the whole representation, one range, or a <c>multipart/byteranges</c>
/// body (part headers from one buffer, ranges read from the source at their offsets), run by the one pump.
/// Parts are packed into each chunk the pump hands over: a <see cref="CompoundBodyProducer"/> ends a chunk at
/// every part boundary, so an 8-range body would be flushed (one socket write each) 17 times; here it goes out
/// in as few chunks as its size allows. The length is exact and known before the first byte; if the source ends
/// before a range does (the file shrank), production faults, so the response is aborted, never short.
/// The producer owns the source and disposes it when it closes, on every path.
/// </summary>
internal sealed class SourceBodyProducer : BodyProducer
{
    private readonly RandomAccessSource _source;
    private readonly ReadOnlyMemory<byte> _text;
    private readonly Part[] _parts;
    private int _part;
    private int _textDone;
    private long _rangeDone;

    /// <param name="source">Where the ranges are read from; owned (disposed when the producer closes).</param>
    /// <param name="text">All part headers and the closing delimiter, back to back.</param>
    /// <param name="parts">Each part: its slice of <paramref name="text"/>, then its range (the last part is
    /// the closing delimiter with an empty range).</param>
    /// <param name="readSize">The chunk size.</param>
    public SourceBodyProducer(RandomAccessSource source, ReadOnlyMemory<byte> text, Part[] parts, int readSize)
        : base(readSize)
    {
        _source = source;
        _text = text;
        _parts = parts;
        Length = text.Length + parts.Sum(p => p.RangeLength);
    }

    public override long? Length { get; }

    protected internal override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < destination.Length && _part < _parts.Length)
        {
            var part = _parts[_part];
            if (_textDone < part.TextLength)
            {
                var count = Math.Min(part.TextLength - _textDone, destination.Length - filled);
                _text.Slice(part.TextOffset + _textDone, count).CopyTo(destination[filled..]);
                _textDone += count;
                filled += count;
            }
            else if (_rangeDone < part.RangeLength)
            {
                var want = (int)Math.Min(part.RangeLength - _rangeDone, destination.Length - filled);
                var read = await _source.ReadAtAsync(part.RangeStart + _rangeDone, destination.Slice(filled, want), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return filled; // the source shrank: the body ends short, and the pump faults on its Length
                }

                _rangeDone += read;
                filled += read;
            }
            else
            {
                _part++;
                _textDone = 0;
                _rangeDone = 0;
            }
        }

        return filled;
    }

    /// <summary>A body of one range of <paramref name="source"/> (the whole representation is the range 0..length).</summary>
    public static SourceBodyProducer ForRange(RandomAccessSource source, long start, long length, int readSize)
        => new(source, ReadOnlyMemory<byte>.Empty, [new Part(0, 0, start, length)], readSize);

    protected internal override ValueTask CloseAsync()
    {
        _source.Dispose();
        return default;
    }

    /// <summary>One part: a slice of the header text followed by a byte range of the source.</summary>
    internal readonly record struct Part(int TextOffset, int TextLength, long RangeStart, long RangeLength);
}
