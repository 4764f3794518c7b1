using Azure;
using System.IO.Pipelines;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;

namespace AspNetStreaming.Storage.AzureBlob;

/// <summary>
/// Files as block blobs of one container, under an optional prefix, a folder (<c>prefix/name</c>). A missing container is
/// created on first use when configured to, else every request answers 503 saying so; a store that cannot be
/// reached, or answers with a server error or throttling once the client's retries are spent, is 503 as well.
/// </summary>
internal sealed class AzureBlobFileStore(BlobContainerClient container, string prefix, bool createContainer, bool allowDotFiles,
    int blockSize = 4 * 1024 * 1024, int maxConcurrency = 4, int maxBlocks = AzureBlobFileStore.ServiceMaxBlocks) : FileStore
{
    // A prefix is a folder: "site-a" and "site-a/" both mean "site-a/", so a name can never continue the prefix's own
    // last segment ("b/secret.txt" reaching "site-ab/secret.txt", "-staging/x" reaching "site-a-staging/x").
    private readonly string _prefix = prefix.Length == 0 ? "" : prefix.TrimEnd('/') + "/";
    // When the container was last seen (0: never): trusted for a while, so that one deleted while the app runs is
    // noticed (and re-created when configured to) within that time rather than never.
    private long _containerSeenAt;

    private static readonly TimeSpan ContainerTrust = TimeSpan.FromSeconds(5);

    public BlobContainerClient Container => container;

    public string Prefix => _prefix;

    public int BlockSize => blockSize;

    public int MaxConcurrency => maxConcurrency;

    /// <summary>The most committed blocks a block blob may have (the service's limit).</summary>
    public const int ServiceMaxBlocks = 50_000;

    /// <summary>The most blocks one blob of this store is given: the service's limit, or fewer in tests.</summary>
    public int MaxBlocks => maxBlocks;

    public override async ValueTask<StoreOpening> OpenReadAsync(string? name, StoreRange? firstRead, CancellationToken cancellationToken)
    {
        if (!StoreNames.IsAllowed(name, allowDotFiles, out var reason))
        {
            return StoreOpening.Refused(reason!);
        }

        try
        {
            var range = firstRead is { } read ? new HttpRange(read.Offset, read.Length) : (HttpRange?)null;
            var source = await BlobSource.OpenAsync(container.GetBlobClient(_prefix + name), cancellationToken, range).ConfigureAwait(false);
            if (source is not null)
            {
                return StoreOpening.Found(source);
            }

            return await ContainerExistsAsync(cancellationToken).ConfigureAwait(false)
                ? StoreOpening.NotFound()
                : StoreOpening.Unavailable($"The blob container '{container.Name}' does not exist (set Streaming:Storage:AzureBlob:CreateContainer to create it).");
        }
        catch (Exception error) when (AzureBlobErrors.IsUnavailable(error, cancellationToken))
        {
            return StoreOpening.Unavailable(AzureBlobErrors.Describe(error));
        }
    }

    public override async Task<StagedWrite> StageAsync(string name, PipeReader body, StoreWriteOptions options, CancellationToken cancellationToken)
    {
        if (!StoreNames.IsAllowed(name, allowDotFiles: true, out var reason))
        {
            throw new ArgumentException($"The name cannot be stored: {reason}.", nameof(name));
        }

        await RequireContainerAsync(cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlockBlobClient(_prefix + name);
        try
        {
            await BlobUploader.CheckConditionsAsync(blob, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (AzureBlobErrors.IsUnavailable(error, cancellationToken))
        {
            throw AzureBlobErrors.Unavailable(error);
        }

        return await BlobUploader.StageAsync(blob, body, options, blockSize, maxConcurrency, maxBlocks, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<bool> DeleteIfUnchangedAsync(string name, string etag, CancellationToken cancellationToken)
    {
        try
        {
            var conditions = new Azure.Storage.Blobs.Models.BlobRequestConditions { IfMatch = new ETag(etag) };
            return (await container.GetBlobClient(_prefix + name).DeleteIfExistsAsync(conditions: conditions, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException error) when (error.Status == 412)
        {
            return false; // replaced since: not ours to delete
        }
    }

    /// <summary>Makes sure the container is there before a write (creating it when configured to).</summary>
    /// <exception cref="StoreException">It is not, or the service cannot be reached (<see cref="StoreErrorKind.Unavailable"/>).</exception>
    public async Task RequireContainerAsync(CancellationToken cancellationToken)
    {
        bool exists;
        try
        {
            exists = await ContainerExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (AzureBlobErrors.IsUnavailable(error, cancellationToken))
        {
            throw AzureBlobErrors.Unavailable(error);
        }
        catch (RequestFailedException error)
        {
            throw AzureBlobErrors.Failed(error);
        }

        if (!exists)
        {
            throw new StoreException(StoreErrorKind.Unavailable, $"The blob container '{container.Name}' does not exist.");
        }
    }

    // A 404 for the blob is also what a missing container gives; only then is it worth one more request.
    private async ValueTask<bool> ContainerExistsAsync(CancellationToken cancellationToken)
    {
        var seenAt = Interlocked.Read(ref _containerSeenAt);
        if (seenAt != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(seenAt) < ContainerTrust)
        {
            return true;
        }

        if (createContainer)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else if (!(await container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            return false;
        }

        Interlocked.Exchange(ref _containerSeenAt, System.Diagnostics.Stopwatch.GetTimestamp());
        return true;
    }
}
