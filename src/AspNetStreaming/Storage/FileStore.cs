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

    /// <summary>Whether <see cref="WriteAsync"/> is implemented (the local disk's uploads still write files
    /// themselves, under <c>Streaming:Uploads:Root</c>).</summary>
    public virtual bool CanWrite => false;

    /// <summary>Stores <paramref name="body"/> under <paramref name="name"/> as it streams, and publishes it atomically
    /// (visible whole or not at all) if <paramref name="options"/>' conditions hold.</summary>
    /// <exception cref="StoreException">The store refused or failed the write; nothing was published.</exception>
    public virtual Task<StoreWriteResult> WriteAsync(string name, System.IO.Pipelines.PipeReader body, StoreWriteOptions options, CancellationToken cancellationToken)
        => throw new NotSupportedException("This store does not take writes.");
}
