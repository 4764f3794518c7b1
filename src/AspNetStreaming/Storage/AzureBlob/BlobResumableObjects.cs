using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;

namespace AspNetStreaming.Storage.AzureBlob;

/// <summary>
/// Resumable uploads as block blobs <c>{prefix}.resumable/{id}</c>: the committed blocks are the bytes received
/// so far (so the offset is the blob's length), the state rides in the blob's metadata, and the blob's entity tag is
/// the version every change is conditional on. An append stages its blocks while the body streams and commits them
/// after the ones already there with <c>If-Match</c>; of two appends racing from two instances, the second commit
/// fails (412), and its blocks are never part of the blob. The publish copies the bytes server-side into blocks of
/// the target name (<c>Put Block From URL</c>) and commits them there in one <c>CommitBlockList</c>: the same
/// atomic publish as any other upload, so nothing partial of a resumable upload is ever visible under its name.
/// An append in progress marks itself in an empty blob beside the upload's, <c>{id}.active</c>, which the listing
/// reads with it (it sorts right after the upload): the expiry sweep of any instance sees the mark's time. A state too
/// large for metadata lives in a blob of its own beside the upload (<c>BlobResumableObjects.State.cs</c>).
/// </summary>
internal sealed partial class BlobResumableObjects(AzureBlobFileStore files) : ResumableObjectStore
{
    /// <summary>The metadata a resumable upload's publish leaves on the blob it publishes (see <see cref="PublishedBy"/>).</summary>
    internal const string PublishedByKey = "resumableupload";
    private const long PublishRangeSize = 100L * 1024 * 1024; // Put Block From URL takes up to 4000 MiB; smaller ranges copy in parallel

    private const string MarkSuffix = ".active";

    private string Prefix => files.Prefix + ".resumable/";

    public override Task<ResumableObject> CreateAsync(string id, string state, CancellationToken cancellationToken) => Guarded(async () =>
    {
        await files.RequireContainerAsync(cancellationToken).ConfigureAwait(false);
        var (created, stateBlob) = await CommitStateAsync(id, state, current: null, metadata => Blob(id).CommitBlockListAsync([], new CommitBlockListOptions
        {
            Metadata = metadata,
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
        return new ResumableObject(id, 0, state, created.Value.ETag.ToString("H"), created.Value.LastModified) { StateBlob = stateBlob };
    }, cancellationToken);

    public override Task<ResumableObject?> FindAsync(string id, CancellationToken cancellationToken) => Guarded(async () =>
    {
        // A state in a side blob may be replaced between the two reads; then the upload is read again.
        for (var attempt = 1; ; attempt++)
        {
            BlobProperties properties;
            try
            {
                properties = (await Blob(id).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException error) when (error.Status == 404)
            {
                return (ResumableObject?)null;
            }

            if (await ReadStateAsync(id, properties.Metadata, cancellationToken).ConfigureAwait(false) is { } state)
            {
                return new ResumableObject(id, properties.ContentLength, state.State, properties.ETag.ToString("H"), properties.LastModified) { StateBlob = state.StateBlob };
            }

            if (attempt == 3)
            {
                throw new StoreException(StoreErrorKind.PreconditionFailed, "The upload changed while it was read.");
            }
        }
    }, cancellationToken);

    public override Task<ResumableObject> SetStateAsync(ResumableObject current, string state, CancellationToken cancellationToken) => Guarded(async () =>
    {
        var (changed, stateBlob) = await CommitStateAsync(current.Id, state, current,
            metadata => Blob(current.Id).SetMetadataAsync(metadata, IfMatch(current), cancellationToken), cancellationToken).ConfigureAwait(false);
        return current with { State = state, Version = changed.Value.ETag.ToString("H"), LastModified = changed.Value.LastModified, StateBlob = stateBlob };
    }, cancellationToken);

    public override Task<ResumableAppend> AppendAsync(ResumableObject current, PipeReader body, StoreWriteOptions options, CancellationToken cancellationToken)
        => Guarded(async () =>
        {
            var blob = Blob(current.Id);
            // The service calls are not cancelled with the request: the blocks of a client that went away are kept.
            // The append may take the blocks that are left once the ones there are compacted.
            var staged = await BlobUploader.StageBlocksAsync(blob, body, options, files.BlockSize, files.MaxConcurrency,
                files.MaxBlocks - CompactedBlocks(current.Length), keepOnInterruption: true, cancellationToken, CancellationToken.None).ConfigureAwait(false);
            if (staged.Interruption is null)
            {
                options.BeforeCommit?.Invoke();
            }
            else if (staged.Length == 0 || options.DiscardOnInterruption)
            {
                // Nothing to keep, or nothing that may be kept (its checksum was never checked): nothing committed; the
                // next commit without them drops the staged blocks.
                return new ResumableAppend(current, 0, staged.Interruption);
            }

            // The list may be newer than current's version; then the commit's If-Match fails, as it must.
            var committed = await blob.GetBlockListAsync(BlockListTypes.Committed, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            var ids = committed.Value.CommittedBlocks.Select(block => block.Name).ToList();
            if (ids.Count + staged.Ids.Count > files.MaxBlocks)
            {
                // Each append adds at least one block, and a blob holds at most 50,000: a client of many small
                // appends (small chunks, a flaky link) would be stuck short of the end. The bytes there are copied,
                // in the service, into a few large blocks of the same blob, and the commit below puts those first.
                ids.Clear();
                await CopyBlocksAsync(blob, blob, current, Guid.NewGuid(), ids, CancellationToken.None).ConfigureAwait(false);
            }

            ids.AddRange(staged.Ids);
            var (result, stateBlob) = await CommitStateAsync(current.Id, current.State, current, metadata => blob.CommitBlockListAsync(ids, new CommitBlockListOptions
            {
                Metadata = metadata,
                Conditions = IfMatch(current),
            }, CancellationToken.None), CancellationToken.None).ConfigureAwait(false);
            var after = current with
            {
                Length = current.Length + staged.Length,
                Version = result.Value.ETag.ToString("H"),
                LastModified = result.Value.LastModified,
                StateBlob = stateBlob,
            };
            return new ResumableAppend(after, staged.Length, staged.Interruption);
        }, cancellationToken);

    public override Task<StoreWriteResult> PublishAsync(ResumableObject current, IReadOnlyList<ResumableObject> parts, string name, StoreWriteOptions options,
        string completedState, CancellationToken cancellationToken) => Guarded(async () =>
    {
        if (!StoreNames.IsAllowed(name, allowDotFiles: true, out var reason))
        {
            throw new ArgumentException($"The name cannot be stored: {reason}.", nameof(name));
        }

        if (options.Observer is { } observer)
        {
            foreach (var part in parts)
            {
                await ObserveAsync(Blob(part.Id), part, observer, cancellationToken).ConfigureAwait(false);
            }
        }

        options.BeforeCommit?.Invoke();
        var target = files.Container.GetBlockBlobClient(files.Prefix + name);
        var publish = Guid.NewGuid();
        var ids = new List<string>();
        foreach (var part in parts)
        {
            await CopyBlocksAsync(Blob(part.Id), target, part, publish, ids, cancellationToken).ConfigureAwait(false);
        }

        // The target records which version of which upload it holds, in the commit that publishes it: should this
        // process die before the upload's own commit below, the publish that a later HEAD retries finds its bytes
        // already there instead of failing on its own create-only or If-Match condition.
        var publishedBy = PublishedBy(current);
        var length = parts.Sum(part => part.Length);
        StoreWriteResult published;
        try
        {
            published = await BlobUploader.CommitAsync(target, ids, length, options with { Metadata = new Dictionary<string, string> { [PublishedByKey] = publishedBy } },
                cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException refused) when (refused.Kind is StoreErrorKind.AlreadyExists or StoreErrorKind.PreconditionFailed)
        {
            var properties = (await target.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            if (!properties.Metadata.TryGetValue(PublishedByKey, out var by) || by != publishedBy)
            {
                throw;
            }

            published = new StoreWriteResult(length, properties.ETag.ToString("H"), options.IfMatch is not null, target.Uri.GetLeftPart(UriPartial.Path));
        }

        var source = Blob(current.Id);
        try
        {
            // The bytes are published: the upload keeps only its state, so a HEAD after a lost response still says complete.
            await CommitStateAsync(current.Id, completedState, current, metadata => source.CommitBlockListAsync([],
                new CommitBlockListOptions { Metadata = metadata, Conditions = IfMatch(current) }, CancellationToken.None), CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (error.Status is 404 or 412)
        {
            // Deleted meanwhile: the file stays published, the upload is gone.
        }

        return published;
    }, cancellationToken);

    public override Task MarkActiveAsync(string id, CancellationToken cancellationToken) => Guarded(async () =>
        await Mark(id).UploadAsync(BinaryData.Empty, overwrite: true, cancellationToken).ConfigureAwait(false), cancellationToken);

    public override Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => Guarded(async () =>
    {
        var deleted = (await Blob(id).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        await DeleteMarkAsync(id, cancellationToken).ConfigureAwait(false);
        await DeleteStateBlobsAsync(id, cancellationToken).ConfigureAwait(false);
        return deleted;
    }, cancellationToken);

    public override Task<bool> DeleteIfUnchangedAsync(ResumableObject current, CancellationToken cancellationToken) => Guarded(async () =>
    {
        try
        {
            if (!(await Blob(current.Id).DeleteIfExistsAsync(conditions: IfMatch(current), cancellationToken: cancellationToken).ConfigureAwait(false)).Value)
            {
                return false;
            }
        }
        catch (RequestFailedException error) when (error.Status == 412)
        {
            return false; // appended to meanwhile: not expired any more
        }

        await DeleteMarkAsync(current.Id, cancellationToken).ConfigureAwait(false);
        await DeleteStateBlobsAsync(current.Id, cancellationToken).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    /// <summary>What a published blob's <see cref="PublishedByKey"/> metadata says of the upload it came from: a hash of
    /// the upload's id and version (the id itself is the upload's capability, so it is not written out).</summary>
    internal static string PublishedBy(ResumableObject upload)
        => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(upload.Id + "/" + upload.Version)), 0, 16);

    private BlockBlobClient Blob(string id) => files.Container.GetBlockBlobClient(Prefix + id);

    private Azure.Storage.Blobs.BlobClient Mark(string id) => files.Container.GetBlobClient(Prefix + id + MarkSuffix);

    // Best effort: a mark left behind only ages, and the sweep's listing drops it once its upload is gone.
    private async Task DeleteMarkAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await Mark(id).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException)
        {
        }
    }

    // Read once more to digest it: a hash state cannot follow an upload from instance to instance.
    private static async Task ObserveAsync(BlockBlobClient source, ResumableObject current, Action<ReadOnlySequence<byte>> observer, CancellationToken cancellationToken)
    {
        var download = await source.DownloadStreamingAsync(new BlobDownloadOptions { Conditions = IfMatch(current) }, cancellationToken).ConfigureAwait(false);
        await using var content = download.Value.Content;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                observer(new ReadOnlySequence<byte>(buffer, 0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Server-side: the service copies each range of the upload into a block of the target (the published name, or the
    // upload itself when an append compacts it); no byte comes through us.
    private async Task CopyBlocksAsync(BlockBlobClient source, BlockBlobClient target, ResumableObject current, Guid publish, List<string> ids,
        CancellationToken cancellationToken)
    {
        var copies = new List<Task>();
        for (long offset = 0; offset < current.Length; offset += PublishRangeSize)
        {
            // A read grant per range, short-lived: it need only outlast the start of its own copy, however many
            // ranges a large upload has before it.
            var sourceUri = source.CanGenerateSasUri ? source.GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddMinutes(15)) : source.Uri;
            var id = BlobUploader.BlockId(publish, ids.Count);
            ids.Add(id);
            copies.Add(target.StageBlockFromUriAsync(sourceUri, id, new StageBlockFromUriOptions
            {
                SourceRange = new HttpRange(offset, Math.Min(PublishRangeSize, current.Length - offset)),
                SourceConditions = new RequestConditions { IfMatch = new ETag(current.Version) },
            }, cancellationToken));
            if (copies.Count >= files.MaxConcurrency)
            {
                await Task.WhenAll(copies).ConfigureAwait(false);
                copies.Clear();
            }
        }

        await Task.WhenAll(copies).ConfigureAwait(false);
    }

    // The blocks an upload of this length has once compacted into blocks of the publish's size.
    private static int CompactedBlocks(long length) => (int)Math.Min(int.MaxValue, (length + PublishRangeSize - 1) / PublishRangeSize);

    private static BlobRequestConditions IfMatch(ResumableObject current) => new() { IfMatch = new ETag(current.Version) };

    // One place where the service's failures become the store's: unavailable → 503, a failed condition → the race was lost.
    private static async Task<T> Guarded<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception error) when (AzureBlobErrors.IsUnavailable(error, cancellationToken))
        {
            throw AzureBlobErrors.Unavailable(error);
        }
        catch (RequestFailedException error) when (error.Status is 412 or 404 || error.ErrorCode is "InvalidBlockList")
        {
            throw new StoreException(StoreErrorKind.PreconditionFailed, "The upload changed or went away meanwhile.", error);
        }
        catch (RequestFailedException error) when (error.Status == 409 && error.ErrorCode == "BlobAlreadyExists")
        {
            throw new StoreException(StoreErrorKind.AlreadyExists, "An upload has this id.", error);
        }
        catch (RequestFailedException error)
        {
            // Denied, a wrong key, anything else the service refuses: a failure of the server, not of the client.
            throw AzureBlobErrors.Failed(error);
        }
    }
}
