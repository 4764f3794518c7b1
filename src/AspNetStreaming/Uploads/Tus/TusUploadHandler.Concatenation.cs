using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads.Tus;

// The concatenation extension: partial uploads (Upload-Concat: partial) publish nothing when complete; a final upload
// (Upload-Concat: final;…) joins them, in order, into one file.
internal sealed partial class TusUploadHandler
{
    // The partial uploads, complete, joined in order into one file, published atomically at once.
    private async Task<IResult> CreateFinalAsync(HttpContext context, List<string> ids, string? name, string metadataField)
    {
        var parts = new List<ResumableUpload>();
        foreach (var id in ids)
        {
            var part = await _appender.LoadAsync(id, context.RequestAborted).ConfigureAwait(false);
            if (part is not { State: { Partial: true, Complete: true } })
            {
                throw UploadException.BadRequest($"Upload {id} is not a complete partial upload.");
            }

            parts.Add(part);
        }

        var length = parts.Sum(part => part.Offset);
        if (length > options.MaxSize)
        {
            throw UploadException.TooLarge(options.MaxSize);
        }

        _appender.CheckTarget(context.Request, name);
        var state = new ResumableUploadState { Name = name ?? "", Length = length, Parts = ids, Metadata = NullIfEmpty(metadataField) };
        var upload = await CreateUploadAsync(context, state).ConfigureAwait(false);
        SetDigest(context, await store.PublishAsync(upload, parts, options, _appender.Root, context.RequestAborted).ConfigureAwait(false));
        upload.Offset = length;
        SetOffset(context, upload);
        return TypedResults.StatusCode(StatusCodes.Status201Created);
    }
}
