namespace AspNetStreaming.Http.Ranges;

/// <summary>The result of evaluating a <c>Range</c> header against a representation's length.</summary>
/// <param name="Outcome">What to send.</param>
/// <param name="Ranges">For <see cref="RangeOutcome.Partial"/>: the ranges to send, sorted, with overlapping and
/// adjacent ranges coalesced; empty otherwise.</param>
/// <param name="IgnoredReason">For <see cref="RangeOutcome.Full"/> when a header was present but ignored: why
/// (for the log).</param>
internal readonly record struct RangeEvaluation(RangeOutcome Outcome, IReadOnlyList<ByteRange> Ranges, string? IgnoredReason = null)
{
    internal static readonly RangeEvaluation None = new(RangeOutcome.Full, []);

    internal static RangeEvaluation Ignored(string reason) => new(RangeOutcome.Full, [], reason);
}
