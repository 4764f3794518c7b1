namespace AspNetStreaming.Storage;

/// <summary>
/// Where named files live: the local disk under a root (the default) or a blob container under a prefix. The one
/// seam between the features that serve and store files and the storage behind them: a provider implements it (and,
/// for uploads, its writes) and nothing in Http, Uploads or Producers changes.
/// </summary>
internal abstract class FileStore
{
    /// <summary>Opens <paramref name="name"/> (a relative name with <c>/</c> between segments, as a route gives it)
    /// for random-access reads, with its length and validators.</summary>
    public abstract ValueTask<StoreOpening> OpenReadAsync(string? name, CancellationToken cancellationToken);
}
