using System.Runtime.CompilerServices;
using Azure.Storage.Blobs.Models;

namespace AspNetStreaming.Storage.AzureBlob;

/// <summary>The listing the expiry sweep reads: every upload once, with the time of its activity mark (and its state
/// when that rides in its metadata), the marks and side blobs whose upload is gone deleted on the way.</summary>
internal sealed partial class BlobResumableObjects
{
    public override async IAsyncEnumerable<ResumableObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await files.RequireContainerAsync(cancellationToken).ConfigureAwait(false);
        var blobs = files.Container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = Prefix }, cancellationToken);
        await using var pages = blobs.GetAsyncEnumerator(cancellationToken);
        // Each page is a request to the service: its failures become the store's, as every other call's do (a yield
        // cannot sit in a try with a catch, so the step is taken apart).
        ResumableObject? held = null; // an upload waits for the next name: its activity mark, if any, sorts right after it
        string? lastUpload = null; // and its state's side blobs after that
        while (await Guarded(async () => await pages.MoveNextAsync().ConfigureAwait(false), cancellationToken).ConfigureAwait(false))
        {
            var item = pages.Current;
            var name = item.Name[Prefix.Length..];
            if (IsStateBlob(name, out var owner))
            {
                if (owner != lastUpload)
                {
                    await DeleteIfOrphanedAsync(item, name, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (name.EndsWith(MarkSuffix, StringComparison.Ordinal))
            {
                var id = name[..^MarkSuffix.Length];
                if (held?.Id == id)
                {
                    yield return held with { LastMarkedActive = item.Properties.LastModified };
                    held = null;
                }
                else
                {
                    // A mark whose upload is gone (deleted while an append ran): nothing left to mark.
                    await DeleteMarkAsync(id, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (held is not null)
            {
                yield return held;
            }

            lastUpload = name;
            held = new ResumableObject(name, item.Properties.ContentLength ?? 0, InlineStateOf(item.Metadata),
                item.Properties.ETag?.ToString("H") ?? "", item.Properties.LastModified ?? DateTimeOffset.MinValue);
        }

        if (held is not null)
        {
            yield return held;
        }
    }
}
