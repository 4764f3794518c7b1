using AspNetStreaming.Producers;

namespace AspNetStreaming.Storage;

/// <summary>What opening a name in a store came to: an error kind, never a message to branch on.</summary>
internal enum StoreOpenOutcome
{
    /// <summary>The object exists; <see cref="StoreOpening.Source"/> reads it.</summary>
    Found,

    /// <summary>No object has that name (404).</summary>
    NotFound,

    /// <summary>The name is not one the store serves: it would leave the root or the container's prefix, or holds
    /// a segment or character that names never may (404, logged as a rejected path).</summary>
    Refused,

    /// <summary>The store could not be reached or answered with a server error (503 with Retry-After).</summary>
    Unavailable,
}

/// <summary>The result of <see cref="FileStore.OpenReadAsync"/>: the outcome, the source when found (the caller then
/// owns it) and a detail for the log when not.</summary>
internal readonly record struct StoreOpening(StoreOpenOutcome Outcome, RandomAccessSource? Source = null, string? Detail = null)
{
    public static StoreOpening Found(RandomAccessSource source) => new(StoreOpenOutcome.Found, source);

    public static StoreOpening NotFound() => new(StoreOpenOutcome.NotFound);

    public static StoreOpening Refused(string reason) => new(StoreOpenOutcome.Refused, Detail: reason);

    public static StoreOpening Unavailable(string detail) => new(StoreOpenOutcome.Unavailable, Detail: detail);
}
