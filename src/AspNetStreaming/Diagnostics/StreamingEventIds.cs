using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Diagnostics;

/// <summary>
/// The event ids this library logs with, one range per area so that a log filter can select an area:
/// 1xxx producers and responses, 2xxx files and ranges, 3xxx processes and CGI, 4xxx uploads.
/// </summary>
public static partial class StreamingEventIds
{
    /// <summary>The client went away before the body was complete.</summary>
    public static readonly EventId ClientDisconnected = new(Id.ClientDisconnected, nameof(ClientDisconnected));

    /// <summary>The producer failed before the first byte was sent; the client got a 500 ProblemDetails.</summary>
    public static readonly EventId ProducerFailedBeforeBody = new(Id.ProducerFailedBeforeBody, nameof(ProducerFailedBeforeBody));

    /// <summary>The producer failed after the first byte was sent; the connection was aborted.</summary>
    public static readonly EventId ProducerFailedMidBody = new(Id.ProducerFailedMidBody, nameof(ProducerFailedMidBody));

    /// <summary>The producer was stopped by the application before the body was complete; the connection was aborted.</summary>
    public static readonly EventId ProducerStopped = new(Id.ProducerStopped, nameof(ProducerStopped));

    /// <summary>A requested file was not found (or was refused by path rules); 404.</summary>
    public static readonly EventId FileNotFound = new(Id.FileNotFound, nameof(FileNotFound));

    /// <summary>A request path was refused because it tried to leave the root or was malformed.</summary>
    public static readonly EventId PathRejected = new(Id.PathRejected, nameof(PathRejected));

    /// <summary>The numbers, for <c>[LoggerMessage]</c> attributes (which take constants): each is written here only.</summary>
    internal static partial class Id
    {
        public const int ClientDisconnected = 1001;
        public const int ProducerFailedBeforeBody = 1002;
        public const int ProducerFailedMidBody = 1003;
        public const int ProducerStopped = 1004;
        public const int FileNotFound = 2001;
        public const int PathRejected = 2002;
    }
}
