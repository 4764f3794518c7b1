namespace AspNetStreaming.Storage;

/// <summary>
/// Where named files live: the local disk under a root (the default) or a blob container under a prefix. The one
/// seam between the features that serve and store files and the storage behind them: a provider implements it (and,
/// for uploads, its writes) and nothing in Http, Uploads or Producers changes.
/// </summary>
internal abstract class FileStore
{
    /// <summary>Opens <paramref name="name"/> (a relative name with <c>/</c> between segments, as a route gives it)
    /// for random-access reads, with its length and validators. <paramref name="firstRead"/> is the range the
    /// response will most likely read first, when it is likely to read at all: a remote store may open by reading it.</summary>
    public abstract ValueTask<StoreOpening> OpenReadAsync(string? name, StoreRange? firstRead, CancellationToken cancellationToken);

    /// <summary>Stages <paramref name="body"/> for <paramref name="name"/> as it streams (limit and observer from
    /// <paramref name="options"/>); nothing is visible until the result is committed. The local disk's uploads still
    /// write files themselves, under <c>Streaming:Uploads:Root</c>, so it does not implement this.</summary>
    /// <exception cref="StoreException">The store refused or failed; nothing was staged that will ever be visible.</exception>
    public virtual Task<StagedWrite> StageAsync(string name, System.IO.Pipelines.PipeReader body, StoreWriteOptions options, CancellationToken cancellationToken)
        => throw new NotSupportedException("This store does not take writes.");

    /// <summary>Stores <paramref name="body"/> under <paramref name="name"/> as it streams, and publishes it atomically
    /// (visible whole or not at all) if <paramref name="options"/>' check and conditions hold.</summary>
    /// <exception cref="StoreException">The store refused or failed the write; nothing was published.</exception>
    public async Task<StoreWriteResult> WriteAsync(string name, System.IO.Pipelines.PipeReader body, StoreWriteOptions options, CancellationToken cancellationToken)
    {
        var staged = await StageAsync(name, body, options, cancellationToken).ConfigureAwait(false);
        options.BeforeCommit?.Invoke();
        return await staged.CommitAsync(options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes <paramref name="name"/> if it is still the version <paramref name="etag"/> names (undoing a
    /// publish of this library's, never someone else's newer one); whether it did.</summary>
    public virtual Task<bool> DeleteIfUnchangedAsync(string name, string etag, CancellationToken cancellationToken)
        => throw new NotSupportedException("This store does not take writes.");
}
