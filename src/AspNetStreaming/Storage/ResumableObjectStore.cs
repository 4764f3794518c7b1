using System.IO.Pipelines;

namespace AspNetStreaming.Storage;

/// <summary>
/// Resumable uploads kept in a shared store, so that any instance can continue one: per upload, the bytes received
/// so far and an opaque state (the feature's, stored beside them), read and replaced together under one version.
/// Every change is conditional on the version it was read at, so two instances racing on one upload never both win
/// and their bytes never interleave: the loser gets <see cref="StoreErrorKind.PreconditionFailed"/>.
/// </summary>
internal abstract class ResumableObjectStore
{
    /// <summary>Creates upload <paramref name="id"/> with no bytes and <paramref name="state"/>.</summary>
    /// <exception cref="StoreException">The store failed, or an upload has the id.</exception>
    public abstract Task<ResumableObject> CreateAsync(string id, string state, CancellationToken cancellationToken);

    /// <summary>The upload as it is now, or <see langword="null"/> when there is none.</summary>
    public abstract Task<ResumableObject?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces the state, if the upload is still at <paramref name="current"/>'s version.</summary>
    public abstract Task<ResumableObject> SetStateAsync(ResumableObject current, string state, CancellationToken cancellationToken);

    /// <summary>Appends <paramref name="body"/> (limit and observer from <paramref name="options"/>; its
    /// <see cref="StoreWriteOptions.BeforeCommit"/> runs before the bytes count) if the upload is still at
    /// <paramref name="current"/>'s version. A body that fails midway keeps what arrived and says why in
    /// <see cref="ResumableAppend.Interruption"/>; a failed check or condition keeps nothing of it.</summary>
    public abstract Task<ResumableAppend> AppendAsync(ResumableObject current, PipeReader body, StoreWriteOptions options, CancellationToken cancellationToken);

    /// <summary>Publishes the bytes of <paramref name="parts"/>, in order (the upload itself, or the uploads a
    /// concatenation joins), atomically as one object under <paramref name="name"/> (the conditions and check of
    /// <paramref name="options"/>; its observer sees every byte first), then replaces <paramref name="current"/>'s
    /// bytes by <paramref name="completedState"/> alone.</summary>
    public abstract Task<StoreWriteResult> PublishAsync(ResumableObject current, IReadOnlyList<ResumableObject> parts, string name, StoreWriteOptions options,
        string completedState, CancellationToken cancellationToken);

    /// <summary>Records, for the expiry sweep of every instance, that an append is streaming into upload
    /// <paramref name="id"/> now: the append stages its bytes without changing the upload's version or time, so
    /// without the mark another instance's sweep would take a long append's upload for an abandoned one.</summary>
    public abstract Task MarkActiveAsync(string id, CancellationToken cancellationToken);

    /// <summary>Removes the upload (and its activity mark); whether there was one.</summary>
    public abstract Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Removes the upload only if it is still at <paramref name="current"/>'s version (the expiry sweep,
    /// safe on every instance at once: an upload that moved on meanwhile stays).</summary>
    public abstract Task<bool> DeleteIfUnchangedAsync(ResumableObject current, CancellationToken cancellationToken);

    /// <summary>Every upload in the store, for the expiry sweep.</summary>
    public abstract IAsyncEnumerable<ResumableObject> ListAsync(CancellationToken cancellationToken);
}

/// <summary>One resumable upload in a store: its bytes so far, its state, the version both were read at (a blob's
/// entity tag), when it last changed and, where the listing knows it, when an append last marked it active
/// (<see cref="ResumableObjectStore.MarkActiveAsync"/>).</summary>
internal sealed record ResumableObject(string Id, long Length, string State, string Version, DateTimeOffset LastModified, DateTimeOffset? LastMarkedActive = null)
{
    /// <summary>Where a store keeps a state too large to ride with the bytes, if it does (its own name for it).</summary>
    public string? StateBlob { get; init; }
}

/// <summary>What an append came to: the upload after it, the bytes it added, and, when the body failed midway,
/// why (the bytes that arrived before are kept).</summary>
internal readonly record struct ResumableAppend(ResumableObject Upload, long Added, Exception? Interruption);
