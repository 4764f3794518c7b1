using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace AspNetStreaming.Storage.AzureBlob;

// The commit and its conditions: the one CommitBlockList that publishes, and the same conditions checked before the
// body is read.
internal static partial class BlobUploader
{
    /// <summary>Commits <paramref name="ids"/> (blocks staged in <paramref name="blob"/>, in order) as the whole blob,
    /// under <paramref name="options"/>' conditions.</summary>
    public static async Task<StoreWriteResult> CommitAsync(BlockBlobClient blob, IReadOnlyList<string> ids, long total, StoreWriteOptions options,
        CancellationToken cancellationToken)
    {
        try
        {
            return await CommitCoreAsync(blob, ids, total, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (AzureBlobErrors.IsUnavailable(error, cancellationToken))
        {
            throw AzureBlobErrors.Unavailable(error);
        }
    }

    private static async Task<StoreWriteResult> CommitCoreAsync(BlockBlobClient blob, IReadOnlyList<string> ids, long total, StoreWriteOptions options, CancellationToken cancellationToken)
    {
        var conditions = new BlobRequestConditions();
        var replaced = options.IfMatch is not null;
        if (options.IfMatch is "*")
        {
            conditions.IfMatch = ETag.All;
        }
        else if (options.IfMatch is { } list)
        {
            // The service takes one tag per condition (a list is 400 MultipleConditionHeadersNotSupported): the list is
            // checked against the blob as it is now, and the commit made on exactly the tag that matched.
            var current = await CurrentETagAsync(blob, cancellationToken).ConfigureAwait(false);
            if (current is null || !Matches(list, current))
            {
                throw new StoreException(StoreErrorKind.PreconditionFailed, "The object's current entity tag does not match If-Match.");
            }

            conditions.IfMatch = new ETag(current);
        }
        else if (options.IfUnmodifiedSince is { } since)
        {
            // The date is checked against the blob as it is now, and the commit is made on exactly that version (its
            // ETag): as atomic as If-Match, and it does not depend on the service evaluating the date on a commit.
            var now = await PropertiesAsync(blob, cancellationToken).ConfigureAwait(false);
            if (now is null || now.LastModified > since)
            {
                throw new StoreException(StoreErrorKind.PreconditionFailed, "The object was modified after If-Unmodified-Since (or does not exist).");
            }

            (conditions.IfMatch, replaced) = (now.ETag, true);
        }
        else if (options.CreateOnly || options.IfNoneMatch)
        {
            conditions.IfNoneMatch = ETag.All;
        }
        else if (options.IfNoneMatchTags is [var single])
        {
            conditions.IfNoneMatch = new ETag(single);
            replaced = (await blob.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        else
        {
            if (options.IfNoneMatchTags is { Count: > 1 } tags)
            {
                // The service takes one tag per condition: several are checked against the blob as it is now.
                var current = await CurrentETagAsync(blob, cancellationToken).ConfigureAwait(false);
                if (current is not null && tags.Contains(current))
                {
                    throw new StoreException(StoreErrorKind.PreconditionFailed, "The object's current entity tag matches If-None-Match.");
                }
            }

            // Only for the answer (201 or 204): the commit itself is what decides, and a race can only misreport this.
            replaced = (await blob.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;
        }

        try
        {
            var committed = await blob.CommitBlockListAsync(ids, new CommitBlockListOptions
            {
                Conditions = conditions,
                HttpHeaders = options.ContentType is { } type ? new BlobHttpHeaders { ContentType = type } : null,
                Metadata = options.Metadata?.ToDictionary(),
            }, cancellationToken).ConfigureAwait(false);
            return new StoreWriteResult(total, committed.Value.ETag.ToString("H"), replaced, blob.Uri.GetLeftPart(UriPartial.Path));
        }
        catch (RequestFailedException error) when (error.Status == 409 && options.IfNoneMatch && options.IfMatch is null)
        {
            throw new StoreException(StoreErrorKind.PreconditionFailed, "The target already exists (If-None-Match).", error);
        }
        catch (RequestFailedException error) when (error.Status == 409 && options.CreateOnly && options.IfMatch is null)
        {
            throw new StoreException(StoreErrorKind.AlreadyExists, "An object with this name already exists.", error);
        }
        catch (RequestFailedException error) when (error.Status == 400 && error.ErrorCode == "InvalidBlockList")
        {
            // Another upload of the name committed first, and a commit drops the uncommitted blocks it does not list:
            // this body's blocks are gone. One whole upload won; this one is refused, never mixed in.
            throw new StoreException(StoreErrorKind.ConcurrentWrite, "Another upload of this name was published while this one was sent.", error);
        }
        catch (RequestFailedException error) when (error.Status == 412 && options.IfNoneMatchTags is [_] && options.IfMatch is null)
        {
            throw new StoreException(StoreErrorKind.PreconditionFailed, "The object's current entity tag matches If-None-Match.", error);
        }
        catch (RequestFailedException error) when (error.Status is 412 or 404 && options.IfUnmodifiedSince is not null && options.IfMatch is null)
        {
            throw new StoreException(StoreErrorKind.PreconditionFailed, "The object was modified after If-Unmodified-Since (or does not exist).", error);
        }
        catch (RequestFailedException error) when (error.Status is 412 or 404 && options.IfMatch is not null)
        {
            throw new StoreException(StoreErrorKind.PreconditionFailed, "The object's current entity tag does not match If-Match.", error);
        }
    }

    /// <summary>The write's conditions against the blob as it is now, before any byte is read, so that a write that
    /// cannot succeed is refused at once (before <c>100 Continue</c>) instead of after the whole body was staged. The
    /// commit checks them again, atomically.</summary>
    public static async Task CheckConditionsAsync(BlockBlobClient blob, StoreWriteOptions options, CancellationToken cancellationToken)
    {
        if (options.IfMatch is null && options.IfUnmodifiedSince is null && !options.IfNoneMatch && options.IfNoneMatchTags is null && !options.CreateOnly)
        {
            return;
        }

        var now = await PropertiesAsync(blob, cancellationToken).ConfigureAwait(false);
        var etag = now?.ETag.ToString("H");
        var refusal = options switch
        {
            { IfMatch: "*" } when now is null => "The object does not exist (If-Match: *).",
            { IfMatch: { } list } when list != "*" && (etag is null || !Matches(list, etag)) => "The object's current entity tag does not match If-Match.",
            { IfMatch: null, IfUnmodifiedSince: { } since } when now is null || now.LastModified > since => "The object was modified after If-Unmodified-Since (or does not exist).",
            { IfNoneMatch: true } when now is not null => "The target already exists (If-None-Match).",
            { IfNoneMatchTags: { } tags } when etag is not null && tags.Contains(etag) => "The object's current entity tag matches If-None-Match.",
            _ => null,
        };
        if (refusal is not null)
        {
            throw new StoreException(StoreErrorKind.PreconditionFailed, refusal);
        }

        if (options.CreateOnly && options.IfMatch is null && options.IfUnmodifiedSince is null && now is not null)
        {
            throw new StoreException(StoreErrorKind.AlreadyExists, "An object with this name already exists.");
        }
    }

    // If-Match compares strongly: a weak tag never matches.
    private static bool Matches(string list, string etag)
        => Microsoft.Net.Http.Headers.EntityTagHeaderValue.TryParseList([list], out var tags) && tags.Any(tag => !tag.IsWeak && tag.Tag == etag);

    private static async Task<string?> CurrentETagAsync(BlockBlobClient blob, CancellationToken cancellationToken)
        => (await PropertiesAsync(blob, cancellationToken).ConfigureAwait(false))?.ETag.ToString("H");

    private static async Task<BlobProperties?> PropertiesAsync(BlockBlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            return (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return null;
        }
    }
}
