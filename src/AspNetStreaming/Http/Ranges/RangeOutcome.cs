namespace AspNetStreaming.Http.Ranges;

/// <summary>What a <c>Range</c> header means for a representation (RFC 9110 §14.2).</summary>
internal enum RangeOutcome
{
    /// <summary>No usable Range header (absent, another unit, invalid, or refused by the denial-of-service
    /// guard): send the whole representation with 200.</summary>
    Full,

    /// <summary>At least one satisfiable range: send 206 with the ranges.</summary>
    Partial,

    /// <summary>A valid header whose ranges are all unsatisfiable: 416 with <c>Content-Range: bytes */length</c>.</summary>
    NotSatisfiable,
}
