using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Diagnostics;

/// <summary>Event ids for file results, ranges and preconditions (2xxx).</summary>
public static partial class StreamingEventIds
{
    /// <summary>A Range header had no satisfiable range; 416.</summary>
    public static readonly EventId RangeNotSatisfiable = new(Id.RangeNotSatisfiable, nameof(RangeNotSatisfiable));

    /// <summary>A Range header was ignored (invalid, another unit, or refused by the denial-of-service guard);
    /// the whole representation was sent.</summary>
    public static readonly EventId RangeIgnored = new(Id.RangeIgnored, nameof(RangeIgnored));

    /// <summary>A precondition (If-Match, If-Unmodified-Since, If-None-Match on an unsafe method) failed; 412.</summary>
    public static readonly EventId PreconditionFailed = new(Id.PreconditionFailed, nameof(PreconditionFailed));

    /// <summary>A file mapping was asked for a method other than GET or HEAD; 405.</summary>
    public static readonly EventId FileMethodNotAllowed = new(Id.FileMethodNotAllowed, nameof(FileMethodNotAllowed));

    /// <summary>The store behind a file mapping could not be reached or failed (answered 503).</summary>
    public static readonly EventId StoreUnavailable = new(Id.StoreUnavailable, nameof(StoreUnavailable));

    /// <summary>A <c>SendFileAsync</c> (StaticFiles, <c>Results.File(path)</c>) was sent by the library's pump under
    /// <c>UseStreamingSendFile</c> (Debug).</summary>
    public static readonly EventId SendFileAccelerated = new(Id.SendFileAccelerated, nameof(SendFileAccelerated));

    /// <summary>Opening a file to serve failed for a reason that is not the request's (an I/O error, too many open
    /// files); answered 500.</summary>
    public static readonly EventId FileOpenFailed = new(Id.FileOpenFailed, nameof(FileOpenFailed));

    /// <summary>The numbers, for <c>[LoggerMessage]</c> attributes (which take constants): each is written here only.</summary>
    internal static partial class Id
    {
        public const int RangeNotSatisfiable = 2003;
        public const int RangeIgnored = 2004;
        public const int PreconditionFailed = 2005;
        public const int FileMethodNotAllowed = 2006;
        public const int StoreUnavailable = 2007;
        public const int SendFileAccelerated = 2008;
        public const int FileOpenFailed = 2009;
    }
}
