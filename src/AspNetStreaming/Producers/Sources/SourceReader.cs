namespace AspNetStreaming.Producers;

/// <summary>
/// Reads a body made of parts from a <see cref="RandomAccessSource"/>: each part a slice of header text followed
/// by a range of the source, packed into whatever memory the pump hands over (one read fills a chunk across part
/// boundaries, so an 8-range body goes out in as few flushes as its size allows). The one implementation behind
/// every seekable body: whole, one range or <c>multipart/byteranges</c>; a file, a stream or memory. When the source
/// ends inside a range (a file that shrank) the body comes up short and the pump faults on its announced length.
/// </summary>
internal sealed class SourceReader
{
    private readonly ReadOnlyMemory<byte> _text;
    private readonly Part[] _parts;
    private int _part;
    private int _textDone;
    private long _rangeDone;

    /// <param name="source">Where the ranges are read from.</param>
    /// <param name="text">All part headers and the closing delimiter, back to back.</param>
    /// <param name="parts">Each part: its slice of <paramref name="text"/>, then its range (the last part of a
    /// multipart body is the closing delimiter with an empty range).</param>
    public SourceReader(RandomAccessSource source, ReadOnlyMemory<byte> text, Part[] parts)
    {
        Source = source;
        _text = text;
        _parts = parts;
        Length = parts.Any(p => p.RangeLength == ToTheEnd) ? null : text.Length + parts.Sum(p => p.RangeLength);
    }

    /// <summary>The range length of a part that runs to wherever the source ends (a source without a length).</summary>
    public const long ToTheEnd = long.MaxValue;

    /// <summary>The source; whoever owns the reader disposes it.</summary>
    public RandomAccessSource Source { get; }

    /// <summary>The exact length of the body; <see langword="null"/> when a part runs to the source's end.</summary>
    public long? Length { get; }

    /// <summary>A body of one range of <paramref name="source"/> (the whole source is the range 0..length); with no
    /// <paramref name="length"/>, everything from <paramref name="start"/> to wherever the source ends.</summary>
    public static SourceReader ForRange(RandomAccessSource source, long start, long? length)
        => new(source, ReadOnlyMemory<byte>.Empty, [new Part(0, 0, start, length ?? ToTheEnd)]);

    /// <summary>Fills <paramref name="destination"/> with the next bytes of the body; 0 at its end (or when the
    /// source ended early).</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
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
                if (_rangeDone == 0)
                {
                    Source.WillRead(part.RangeStart, part.RangeLength);
                }

                var want = (int)Math.Min(part.RangeLength - _rangeDone, destination.Length - filled);
                var read = await Source.ReadAtAsync(part.RangeStart + _rangeDone, destination.Slice(filled, want), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return filled; // the source ended: a body without a length is done; one with a length faults in the pump
                }

                _rangeDone += read;
                filled += read;
                if (read < want)
                {
                    // A short read is a stream giving what it has now (a pipe, a socket): send it rather than wait
                    // to fill the chunk. A file reads short only at its end, where the next read says so.
                    return filled;
                }
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

    /// <summary>One part: a slice of the header text followed by a byte range of the source.</summary>
    internal readonly record struct Part(int TextOffset, int TextLength, long RangeStart, long RangeLength);
}
