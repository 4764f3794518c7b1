namespace AspNetStreaming.Http.Preconditions;

/// <summary>What the conditional request headers mean for a request (RFC 9110 §13.2.2).</summary>
internal enum PreconditionOutcome
{
    /// <summary>No precondition failed: perform the request (ranges still subject to <c>If-Range</c>).</summary>
    Proceed,

    /// <summary>A GET or HEAD whose cached copy is current: 304 with validators and no body.</summary>
    NotModified,

    /// <summary>A precondition failed: 412.</summary>
    PreconditionFailed,
}
