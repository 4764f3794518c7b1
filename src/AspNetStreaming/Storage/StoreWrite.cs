using System.Buffers;

namespace AspNetStreaming.Storage;

/// <summary>How a body is written into a store: its limit, who watches the bytes go by (a digest), what must hold
/// before it becomes visible (the digest's check), and the store-side conditions of the publish.</summary>
internal sealed record StoreWriteOptions
{
    /// <summary>The most bytes the body may have; more fails with <see cref="StoreErrorKind.TooLarge"/>.</summary>
    public long MaxBytes { get; init; } = long.MaxValue;

    /// <summary>The body's bytes read so far, kept up to date as it streams: what the caller logs and counts for a write
    /// that fails midway.</summary>
    public System.Runtime.CompilerServices.StrongBox<long>? Received { get; init; }

    /// <summary>Sees every segment of the body, in order (the digest).</summary>
    public Action<ReadOnlySequence<byte>>? Observer { get; init; }

    /// <summary>A resumable append whose body breaks off keeps none of it (the body came with a checksum that its
    /// missing end would have been checked against), instead of keeping what arrived.</summary>
    public bool DiscardOnInterruption { get; init; }

    /// <summary>Runs after the last byte is staged and before the commit; throwing leaves nothing visible.</summary>
    public Action? BeforeCommit { get; init; }

    /// <summary>Publish only if no object has the name (create-only, the app's policy): an object there fails the write
    /// with <see cref="StoreErrorKind.AlreadyExists"/>.</summary>
    public bool CreateOnly { get; init; }

    /// <summary>Publish only if no object has the name, as the client's own precondition (<c>If-None-Match: *</c>): an
    /// object there fails the write with <see cref="StoreErrorKind.PreconditionFailed"/>.</summary>
    public bool IfNoneMatch { get; init; }

    /// <summary>Publish only if the object there (if any) has none of these quoted entity tags (<c>If-None-Match</c>
    /// with tags): one is the store's own condition; with several, the object's tag is read just before the commit.</summary>
    public IReadOnlyList<string>? IfNoneMatchTags { get; init; }

    /// <summary>Publish only over the object with this quoted entity tag (<c>If-Match</c>).</summary>
    public string? IfMatch { get; init; }

    /// <summary>Publish only over an object not modified after this time (<c>If-Unmodified-Since</c>); a missing
    /// object fails it, as it fails <see cref="IfMatch"/>.</summary>
    public DateTimeOffset? IfUnmodifiedSince { get; init; }

    /// <summary>The content type stored with the object, if any.</summary>
    public string? ContentType { get; init; }

    /// <summary>Name/value pairs stored with the object, in the same commit as its bytes.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>What a write published: its length, its new entity tag, whether it replaced an object, and where it is
/// (a blob's URI, which carries no secret).</summary>
internal readonly record struct StoreWriteResult(long Length, string? ETag, bool Replaced, string? Location = null);

/// <summary>Why a store refused or failed a write: a kind, never a message to branch on.</summary>
internal enum StoreErrorKind
{
    /// <summary>An object has the name and the write was create-only.</summary>
    AlreadyExists,

    /// <summary>The object's entity tag is not the one <see cref="StoreWriteOptions.IfMatch"/> named.</summary>
    PreconditionFailed,

    /// <summary>Another write of the same name was published while this one was staged, and took its place.</summary>
    ConcurrentWrite,

    /// <summary>The body is longer than <see cref="StoreWriteOptions.MaxBytes"/>.</summary>
    TooLarge,

    /// <summary>The store could not be reached, or failed, once its client's retries were spent.</summary>
    Unavailable,

    /// <summary>The store refused the request for a reason of its own (access denied, a wrong key, an answer the
    /// library does not expect): a server failure, nothing written.</summary>
    Failed,
}

/// <summary>A write the store refused or could not do; nothing was published.</summary>
internal sealed class StoreException(StoreErrorKind kind, string detail, Exception? inner = null) : Exception(detail, inner)
{
    public StoreErrorKind Kind { get; } = kind;

    /// <summary>With <see cref="StoreErrorKind.TooLarge"/>, the most bytes the store would take: the write's own
    /// limit, or less when the store holds less (a block blob's 50,000 blocks).</summary>
    public long Limit { get; init; } = long.MaxValue;
}

/// <summary>A body staged in a store and not yet visible: <see cref="CommitAsync"/> publishes it, atomically, under
/// the conditions it is given; dropping it publishes nothing (the store discards what was staged).</summary>
internal abstract class StagedWrite
{
    /// <summary>The bytes staged.</summary>
    public abstract long Length { get; }

    /// <summary>Publishes the staged body under <paramref name="options"/>' conditions (create-only, If-Match).</summary>
    /// <exception cref="StoreException">The conditions failed or the store did; nothing was published.</exception>
    public abstract Task<StoreWriteResult> CommitAsync(StoreWriteOptions options, CancellationToken cancellationToken);
}
