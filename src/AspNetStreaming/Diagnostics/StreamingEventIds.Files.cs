using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Diagnostics;

/// <summary>Event ids for file results, ranges and preconditions (2xxx).</summary>
public static partial class StreamingEventIds
{
    /// <summary>A Range header had no satisfiable range; 416.</summary>
    public static readonly EventId RangeNotSatisfiable = new(2003, nameof(RangeNotSatisfiable));

    /// <summary>A Range header was ignored (invalid, another unit, or refused by the denial-of-service guard);
    /// the whole representation was sent.</summary>
    public static readonly EventId RangeIgnored = new(2004, nameof(RangeIgnored));

    /// <summary>A precondition (If-Match, If-Unmodified-Since, If-None-Match on an unsafe method) failed; 412.</summary>
    public static readonly EventId PreconditionFailed = new(2005, nameof(PreconditionFailed));

    /// <summary>A file mapping was asked for a method other than GET or HEAD; 405.</summary>
    public static readonly EventId FileMethodNotAllowed = new(2006, nameof(FileMethodNotAllowed));
}
