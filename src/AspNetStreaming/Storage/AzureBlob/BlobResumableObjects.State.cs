using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AspNetStreaming.Storage.AzureBlob;

/// <summary>
/// Where a resumable upload's state lives: in the upload blob's metadata while it is small, else in a blob of its own
/// beside it, <c>{id}.state-{n}</c>, which the metadata names. The service takes at most 8 KiB of metadata per blob
/// (Azurite's Node server 16 KiB of headers), and a state holds what the client sent: a long tus
/// <c>Upload-Metadata</c>, the ids of a concatenation's parts, an <c>If-Match</c> list. Such a state was a 500 on
/// every request of the upload, or, when only the completed state passed the limit, a published file whose upload
/// answered 500 for ever. A side blob is written before the commit that names it and never changed after, so the
/// commit's condition still decides which state is the upload's; the one it replaced is deleted after the commit,
/// the one a failed commit named once the upload is seen not to name it (a commit can take though its caller saw it fail).
/// </summary>
internal sealed partial class BlobResumableObjects
{
    private const string StateKey = "state";
    private const string StateBlobKey = "stateblob";
    private const string StateSuffix = ".state-";

    /// <summary>The longest state kept in metadata, in base64 characters: half the service's 8 KiB, the rest left
    /// for the request's other headers on a server that bounds their sum.</summary>
    internal const int InlineStateLimit = 4096;

    // A side blob whose upload is gone is deleted by the sweep once it is older than this: younger, it may be the
    // state of an upload whose creation is still on its way.
    private static readonly TimeSpan OrphanedStateAge = TimeSpan.FromHours(1);

    /// <summary>Commits <paramref name="state"/> for upload <paramref name="id"/> with <paramref name="commit"/>,
    /// which is given the metadata to send; the result names the side blob the upload now has, if any.</summary>
    private async Task<(T Result, string? StateBlob)> CommitStateAsync<T>(string id, string state, ResumableObject? current,
        Func<Dictionary<string, string>, Task<T>> commit, CancellationToken cancellationToken)
    {
        var inline = Convert.ToBase64String(Encoding.UTF8.GetBytes(state));
        string? sideBlob = null, created = null;
        Dictionary<string, string> metadata;
        if (inline.Length <= InlineStateLimit)
        {
            metadata = new() { [StateKey] = inline };
        }
        else if (current is { StateBlob: { } kept } && current.State == state)
        {
            metadata = new() { [StateBlobKey] = sideBlob = kept }; // an append: the state is the one there
        }
        else
        {
            created = sideBlob = Guid.NewGuid().ToString("N");
            // Overwriting: the name is new, and a retry of a write whose answer was lost must not fail as a conflict.
            await StateBlob(id, created).UploadAsync(BinaryData.FromString(state), overwrite: true, cancellationToken).ConfigureAwait(false);
            metadata = new() { [StateBlobKey] = created };
        }

        T result;
        try
        {
            result = await commit(metadata).ConfigureAwait(false);
        }
        catch
        {
            if (created is not null)
            {
                await ForgetStateBlobAsync(id, created, current?.StateBlob).ConfigureAwait(false);
            }

            throw;
        }

        if (current?.StateBlob is { } replaced && replaced != sideBlob)
        {
            await DeleteStateBlobAsync(id, replaced).ConfigureAwait(false);
        }

        return (result, sideBlob);
    }

    // A commit its caller saw fail may have been applied all the same: its answer lost and the SDK's retry refused by
    // the commit's own condition, or the request cancelled after the service acted. So the side blob it named is
    // deleted only once the upload is seen not to name it; when it does, the commit took, and the state it replaced
    // is the one that goes. When the upload cannot be read, both stay until the upload is removed.
    private async Task ForgetStateBlobAsync(string id, string created, string? replaced)
    {
        string? named;
        try
        {
            var properties = await Blob(id).GetPropertiesAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            named = properties.Value.Metadata.TryGetValue(StateBlobKey, out var name) ? name : null;
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            named = null;
        }
        catch (Exception)
        {
            return;
        }

        if (named != created)
        {
            await DeleteStateBlobAsync(id, created).ConfigureAwait(false);
        }
        else if (replaced is not null && replaced != created)
        {
            await DeleteStateBlobAsync(id, replaced).ConfigureAwait(false);
        }
    }

    /// <summary>The state an upload's metadata carries or names, and the side blob it is in; <see langword="null"/>
    /// when that blob is gone (the state was replaced since the metadata was read: read the upload again).</summary>
    private async Task<(string State, string? StateBlob)?> ReadStateAsync(string id, IDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        if (metadata is not null && metadata.TryGetValue(StateKey, out var inline))
        {
            return (Encoding.UTF8.GetString(Convert.FromBase64String(inline)), null);
        }

        if (metadata is null || !metadata.TryGetValue(StateBlobKey, out var name))
        {
            return ("", null);
        }

        try
        {
            var content = await StateBlob(id, name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return (content.Value.Content.ToString(), name);
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return null;
        }
    }

    /// <summary>The state a listed upload's metadata carries, or "" when it names a side blob: the listing serves the
    /// expiry sweep, which needs versions and times only, and reads no side blob (one it could not read would keep its
    /// upload from ever expiring).</summary>
    private static string InlineStateOf(IDictionary<string, string>? metadata)
        => metadata is not null && metadata.TryGetValue(StateKey, out var inline) ? Encoding.UTF8.GetString(Convert.FromBase64String(inline)) : "";

    /// <summary>Whether a listed name is a state's side blob, and whose.</summary>
    private static bool IsStateBlob(string name, out string id)
    {
        var at = name.IndexOf(StateSuffix, StringComparison.Ordinal);
        id = at < 0 ? "" : name[..at];
        return at > 0;
    }

    // A side blob the listing found without its upload: deleted once it is old enough not to be a creation's.
    private async Task DeleteIfOrphanedAsync(BlobItem item, string name, CancellationToken cancellationToken)
    {
        if (item.Properties.LastModified is { } modified && DateTimeOffset.UtcNow - modified > OrphanedStateAge)
        {
            await DeleteBestEffortAsync(files.Container.GetBlobClient(Prefix + name), cancellationToken).ConfigureAwait(false);
        }
    }

    // An upload that is removed takes its side blobs with it (at most two: the state, and one a commit replaced).
    private async Task DeleteStateBlobsAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in files.Container.GetBlobsAsync(new GetBlobsOptions { Prefix = Prefix + id + StateSuffix }, cancellationToken).ConfigureAwait(false))
            {
                await DeleteBestEffortAsync(files.Container.GetBlobClient(item.Name), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // The upload is gone already: what is left is the sweep's, which deletes side blobs without an upload.
        }
    }

    private Task DeleteStateBlobAsync(string id, string name) => DeleteBestEffortAsync(StateBlob(id, name), CancellationToken.None);

    private BlobClient StateBlob(string id, string name) => files.Container.GetBlobClient(Prefix + id + StateSuffix + name);

    // Best effort: what is left behind is an orphan, which the sweep's listing deletes.
    private static async Task DeleteBestEffortAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The store refused or could not be reached: the blob stays an orphan for now.
        }
    }
}
