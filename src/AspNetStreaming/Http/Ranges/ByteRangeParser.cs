namespace AspNetStreaming.Http.Ranges;

/// <summary>
/// Evaluates a <c>Range</c> header against a representation's length, following RFC 9110 §14 exactly where
/// the framework's own handling does not (it serves a single range only and answers any multi-range request
/// with the whole file).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Forms: <c>first-last</c>, <c>first-</c> and suffix <c>-N</c>, in a comma-separated list; whitespace
/// around elements and empty elements are tolerated. The unit is <c>bytes</c>, case-insensitively.</item>
/// <item>An unknown unit or any syntactically invalid element (including <c>last &lt; first</c>) makes the whole
/// header ignored (<see cref="RangeOutcome.Full"/>), as RFC 9110 §14.2 allows.</item>
/// <item>Satisfiable ranges are clamped to the representation; unsatisfiable ones (start at or past the end,
/// suffix <c>-0</c>) are dropped; none left means <see cref="RangeOutcome.NotSatisfiable"/>. A Range on an empty
/// representation is ignored.</item>
/// <item>Denial-of-service guard: more elements than <c>maxRanges</c>, or ranges whose total exceeds the
/// length, make the header ignored; overlapping and adjacent ranges are coalesced and sorted. So a response is
/// never larger than the representation plus part headers.</item>
/// </list>
/// </remarks>
internal static class ByteRangeParser
{
    /// <summary>The default cap on the number of ranges in one request.</summary>
    public const int DefaultMaxRanges = 16;

    /// <summary>Evaluates <paramref name="rangeHeader"/> (the header's value, or <see langword="null"/> when absent)
    /// for a representation of <paramref name="length"/> bytes.</summary>
    /// <param name="rangeHeader">The <c>Range</c> header value.</param>
    /// <param name="length">The representation's length in bytes.</param>
    /// <param name="maxRanges">The most ranges accepted in one header; more make the header ignored.</param>
    public static RangeEvaluation Evaluate(string? rangeHeader, long length, int maxRanges = DefaultMaxRanges)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRanges);
        if (rangeHeader is null)
        {
            return RangeEvaluation.None;
        }

        var span = rangeHeader.AsSpan().Trim(" \t");
        var equals = span.IndexOf('=');
        if (equals <= 0 || !span[..equals].Equals("bytes", StringComparison.OrdinalIgnoreCase))
        {
            return RangeEvaluation.Ignored("not a bytes range");
        }

        if (length == 0)
        {
            return RangeEvaluation.Ignored("empty representation");
        }

        var set = span[(equals + 1)..];
        var elements = 0;
        long total = 0;
        ByteRange first = default;
        List<ByteRange>? many = null;
        var satisfiable = 0;
        foreach (var part in set.Split(','))
        {
            var element = set[part].Trim(" \t");
            if (element.IsEmpty)
            {
                continue;
            }

            if (++elements > maxRanges)
            {
                return RangeEvaluation.Ignored("too many ranges");
            }

            if (!TryParseElement(element, length, out var range, out var isSatisfiable))
            {
                return RangeEvaluation.Ignored("invalid range");
            }

            if (!isSatisfiable)
            {
                continue;
            }

            total += range.Length;
            if (total > length)
            {
                return RangeEvaluation.Ignored("ranges add up to more than the representation");
            }

            if (satisfiable++ == 0)
            {
                first = range;
            }
            else
            {
                many ??= [first];
                many.Add(range);
            }
        }

        if (elements == 0)
        {
            return RangeEvaluation.Ignored("empty range set");
        }

        if (satisfiable == 0)
        {
            return new RangeEvaluation(RangeOutcome.NotSatisfiable, []);
        }

        return new RangeEvaluation(RangeOutcome.Partial, many is null ? [first] : Coalesce(many));
    }

    private static bool TryParseElement(ReadOnlySpan<char> element, long length, out ByteRange range, out bool satisfiable)
    {
        range = default;
        satisfiable = false;
        var dash = element.IndexOf('-');
        if (dash < 0)
        {
            return false;
        }

        if (dash == 0)
        {
            // Suffix: the last N bytes.
            if (!TryParseDigits(element[1..], out var suffix))
            {
                return false;
            }

            if (suffix == 0)
            {
                return true;
            }

            var count = Math.Min(suffix, length);
            range = new ByteRange(length - count, count);
            satisfiable = true;
            return true;
        }

        if (!TryParseDigits(element[..dash], out var start))
        {
            return false;
        }

        var lastText = element[(dash + 1)..];
        var last = long.MaxValue;
        if (!lastText.IsEmpty && (!TryParseDigits(lastText, out last) || last < start))
        {
            return false;
        }

        if (start >= length)
        {
            return true;
        }

        range = new ByteRange(start, Math.Min(last, length - 1) - start + 1);
        satisfiable = true;
        return true;
    }

    /// <summary>Parses DIGIT+; values too large for a long saturate (they are clamped to the length anyway).</summary>
    private static bool TryParseDigits(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = value >= (long.MaxValue - 9) / 10 ? long.MaxValue : (value * 10) + (c - '0');
        }

        return true;
    }

    private static ByteRange[] Coalesce(List<ByteRange> ranges)
    {
        ranges.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<ByteRange>(ranges.Count);
        var current = ranges[0];
        for (var i = 1; i < ranges.Count; i++)
        {
            var next = ranges[i];
            if (next.Start <= current.End + 1)
            {
                var end = Math.Max(current.End, next.End);
                current = new ByteRange(current.Start, end - current.Start + 1);
            }
            else
            {
                merged.Add(current);
                current = next;
            }
        }

        merged.Add(current);
        return [.. merged];
    }
}
