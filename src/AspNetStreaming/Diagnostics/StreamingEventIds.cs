using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Diagnostics;

/// <summary>
/// The event ids this library logs with, one range per area so that a log filter can select an area:
/// 1xxx producers and responses, 2xxx files and ranges, 3xxx processes and CGI, 4xxx uploads.
/// </summary>
public static partial class StreamingEventIds
{
    /// <summary>The client went away before the body was complete.</summary>
    public static readonly EventId ClientDisconnected = new(1001, nameof(ClientDisconnected));

    /// <summary>The producer failed before the first byte was sent; the client got a 500 ProblemDetails.</summary>
    public static readonly EventId ProducerFailedBeforeBody = new(1002, nameof(ProducerFailedBeforeBody));

    /// <summary>The producer failed after the first byte was sent; the connection was aborted.</summary>
    public static readonly EventId ProducerFailedMidBody = new(1003, nameof(ProducerFailedMidBody));

    /// <summary>The producer was stopped by the application before the body was complete; the connection was aborted.</summary>
    public static readonly EventId ProducerStopped = new(1004, nameof(ProducerStopped));

    /// <summary>A requested file was not found (or was refused by path rules); 404.</summary>
    public static readonly EventId FileNotFound = new(2001, nameof(FileNotFound));

    /// <summary>A request path was refused because it tried to leave the root or was malformed.</summary>
    public static readonly EventId PathRejected = new(2002, nameof(PathRejected));
}
