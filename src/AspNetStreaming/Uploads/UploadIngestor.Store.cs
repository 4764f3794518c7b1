using System.IO.Pipelines;
using AspNetStreaming.Storage;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

// Uploads into a configured store (a blob container) instead of a file under Root: the store stages the body as it
// streams, the digest is checked before its atomic publish, and the publish carries the overwrite policy and the
// request's If-Match / If-None-Match as the store's own conditions (the race between two writers is the store's).
public sealed partial class UploadIngestor
{
    private async Task<StoredUpload> WriteToStoreAsync(FileStore store, HttpRequest request, string name, PipeReader body, UploadOptions options,
        UploadDigests digests, System.Runtime.CompilerServices.StrongBox<long> received, CancellationToken cancellationToken)
    {
        var ifMatch = request.Headers.IfMatch.ToString().Trim();
        var written = await store.WriteAsync(name, body, new StoreWriteOptions
        {
            MaxBytes = options.MaxSize,
            Received = received,
            Observer = digests.IsActive ? digests.Observer : null,
            BeforeCommit = digests.Verify,
            IfMatch = ifMatch.Length > 0 ? ifMatch : null,
            CreateOnly = options.Overwrite == UploadOverwritePolicy.Reject,
            IfNoneMatch = request.Headers.IfNoneMatch.ToString().Trim() == "*",
            IfNoneMatchTags = EntityTagsOf(request.Headers.IfNoneMatch.ToString()),
            IfUnmodifiedSince = Microsoft.Net.Http.Headers.HeaderUtilities.TryParseDate(request.Headers.IfUnmodifiedSince.ToString(), out var since) ? since : null,
            // No ContentType: the client's would be served back as it is (text/html under a .txt name is a stored
            // cross-site script); without one, a blob is served by its name's type, as a file on the disk is.
        }, cancellationToken).ConfigureAwait(false);
        UploadLog.Stored(_logger, name, written.Length, written.Replaced);
        return new StoredUpload(name, written.Location ?? name, written.Length, digests.Sha256, written.Replaced, written.ETag) { Sha512 = digests.Sha512 };
    }

    // One file part of a form, staged in the store (nothing visible until MultipartUpload.PublishAsync commits it).
    private static async Task<long> StageFilePartAsync(FileStore store, MultipartUpload upload, Microsoft.AspNetCore.WebUtilities.MultipartSection section,
        string field, string name, UploadOptions options, DigestAlgorithms wanted, System.Runtime.CompilerServices.StrongBox<long> received,
        CancellationToken cancellationToken)
    {
        upload.StagedIn(store);
        var pending = upload.Add(field, name, tempPath: null, target: name);
        using var digests = UploadDigests.Expecting(null, null, wanted);
        var limit = options.Multipart.MaxFileSize;
        try
        {
            pending.Staged = await store.StageAsync(name, PipeReader.Create(section.Body, new StreamPipeReaderOptions(leaveOpen: true)), new StoreWriteOptions
            {
                MaxBytes = limit,
                Received = received,
                Observer = digests.IsActive ? digests.Observer : null,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException error) when (error.Kind == StoreErrorKind.TooLarge)
        {
            // The store may hold less than the field's limit (a blob's blocks): the limit that held it is named.
            throw new UploadException(UploadErrorKind.TooLarge, $"The file in field '{field}' is larger than the limit of {Math.Min(limit, error.Limit)} bytes; no file was stored.", error);
        }

        pending.Length = pending.Staged.Length;
        digests.Verify();
        (pending.Sha256, pending.Sha512) = (digests.Sha256, digests.Sha512);
        return pending.Length;
    }

    // The quoted tags of an If-None-Match list, weak ones as their opaque tag (If-None-Match compares weakly); none for
    // "*" or an invalid list.
    private static List<string>? EntityTagsOf(string header)
        => header.Trim() is { Length: > 0 } value && value != "*"
            && Microsoft.Net.Http.Headers.EntityTagHeaderValue.TryParseList([value], out var tags) && tags.Count > 0
            ? [.. tags.Select(tag => tag.Tag.ToString())]
            : null;
}
