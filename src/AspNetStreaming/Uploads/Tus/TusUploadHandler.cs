using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads.Tus;

/// <summary>
/// The tus 1.0.0 resumable upload protocol (tus.io; what tus-js-client and Uppy speak by default) on the same engine as
/// the IETF draft (<see cref="ResumableAppender"/>: one store, one atomic publish, one expiry sweep): core (HEAD,
/// PATCH, OPTIONS) and the creation, creation-with-upload, creation-defer-length, termination, checksum, expiration
/// and concatenation extensions, and <c>X-HTTP-Method-Override</c> for clients behind proxies that pass only POST.
/// </summary>
internal sealed partial class TusUploadHandler(ResumableUploadStore store, UploadOptions options)
{
    private readonly ResumableAppender _appender = new(store, options);

    public IResult Options(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers["Tus-Version"] = TusHeaders.Version;
        headers["Tus-Extension"] = TusHeaders.Extensions;
        headers["Tus-Max-Size"] = options.MaxSize.ToString(CultureInfo.InvariantCulture);
        headers["Tus-Checksum-Algorithm"] = TusHeaders.ChecksumAlgorithms;
        return TypedResults.NoContent();
    }

    public Task<IResult> CreateAsync(HttpContext context) => AnswerAsync(context, async () =>
    {
        var request = context.Request;
        var (partial, final) = TusHeaders.ParseConcat(request, UploadsPath(context));
        var metadataField = request.Headers["Upload-Metadata"].ToString();
        var name = TusHeaders.NameFrom(TusHeaders.ParseMetadata(metadataField));
        if (name is not null && !UploadNames.IsValid(name, options.MaxNameLength, out var reason))
        {
            throw UploadException.BadRequest($"The file name is not acceptable: {reason}.");
        }

        if (final is not null)
        {
            return await CreateFinalAsync(context, final, name, metadataField).ConfigureAwait(false);
        }

        var length = TusHeaders.ParseLength(request, required: true);
        if (length > options.MaxSize || request.ContentLength > options.MaxSize)
        {
            throw UploadException.TooLarge(options.MaxSize);
        }

        _appender.CheckTarget(request, partial ? null : name);

        // creation-with-upload: the first chunk in the creation request. Everything the headers can tell is checked
        // before the upload exists, so a refused creation leaves nothing behind.
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (hasBody && !IsChunk(request))
        {
            throw new UploadException(UploadErrorKind.UnsupportedMediaType, $"Data in a creation request must have Content-Type: {TusHeaders.ChunkContentType}.");
        }

        if (request.ContentLength > length)
        {
            throw new UploadException(UploadErrorKind.InconsistentLength, "The content goes past Upload-Length.");
        }

        using var checksum = TusHeaders.ChecksumOf(request);
        var state = new ResumableUploadState { Name = name ?? "", Length = length, Partial = partial, Metadata = NullIfEmpty(metadataField) };
        var upload = await CreateUploadAsync(context, state).ConfigureAwait(false);
        if (hasBody || length == 0)
        {
            try
            {
                await AppendAsync(context, upload, 0, checksum).ConfigureAwait(false);
            }
            catch (UploadException refused) when (refused.Kind == UploadErrorKind.ChecksumMismatch)
            {
                // Its only chunk was wrong and is gone: nobody has its Location to resume it from.
                await store.DeleteAsync(upload.Id, CancellationToken.None).ConfigureAwait(false);
                context.Response.Headers.Remove("Location");
                throw;
            }
        }

        SetOffset(context, upload);
        return TypedResults.StatusCode(StatusCodes.Status201Created);
    });

    public Task<IResult> HeadAsync(HttpContext context, string id) => AnswerAsync(context, async () =>
    {
        var upload = await _appender.FinishIfFullAsync(await LoadAsync(context, id).ConfigureAwait(false), context.RequestAborted).ConfigureAwait(false);
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        SetOffset(context, upload);
        if (upload.State.Length is { } length)
        {
            headers["Upload-Length"] = length.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            headers["Upload-Defer-Length"] = "1";
        }

        if (upload.State.Metadata is { } metadata)
        {
            headers["Upload-Metadata"] = metadata;
        }

        if (upload.State.Partial)
        {
            headers["Upload-Concat"] = "partial";
        }
        else if (upload.State.Parts is { } parts)
        {
            headers["Upload-Concat"] = "final;" + string.Join(' ', parts.Select(part => UploadsPath(context) + "/" + part));
        }

        return TypedResults.Ok();
    });

    public Task<IResult> PatchAsync(HttpContext context, string id) => AnswerAsync(context, async () =>
    {
        var request = context.Request;
        var upload = await LoadAsync(context, id).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        if (upload.State.Parts is not null)
        {
            throw new UploadException(UploadErrorKind.Forbidden, "A final concatenation takes no data of its own.");
        }

        if (!IsChunk(request))
        {
            throw new UploadException(UploadErrorKind.UnsupportedMediaType, $"A PATCH must have Content-Type: {TusHeaders.ChunkContentType}.");
        }

        var offset = ResumableHeaders.ParseOffset(request, required: true)!.Value;
        var announced = TusHeaders.ParseLength(request, required: false);
        if (upload.State.Complete)
        {
            if (announced is { } changed && changed != (upload.State.Length ?? upload.Offset))
            {
                // Once set, the length stays (creation-defer-length): on a complete upload as on one still open.
                throw new UploadException(UploadErrorKind.InconsistentLength, "Upload-Length differs from the one announced before.");
            }

            if (offset != upload.Offset || request.ContentLength is not 0)
            {
                throw ResumableHeaders.WithOffset(UploadErrorKind.OffsetMismatch, upload.Offset, "The upload is complete.");
            }

            SetOffset(context, upload);
            return TypedResults.NoContent();
        }

        if (announced is { } length)
        {
            if (upload.State.Length is { } known && known != length)
            {
                throw new UploadException(UploadErrorKind.InconsistentLength, "Upload-Length differs from the one announced before.");
            }

            if (length > options.MaxSize || length < upload.Offset)
            {
                throw length > options.MaxSize ? UploadException.TooLarge(options.MaxSize) : new UploadException(UploadErrorKind.InconsistentLength, "Upload-Length is less than the offset.");
            }

            if (upload.State.Length is null)
            {
                upload.State.Length = length;
                await store.SaveAsync(upload, context.RequestAborted).ConfigureAwait(false);
            }
        }

        using var checksum = TusHeaders.ChecksumOf(request);
        await AppendAsync(context, upload, offset, checksum).ConfigureAwait(false);
        SetOffset(context, upload);
        return TypedResults.NoContent();
    });

    public Task<IResult> DeleteAsync(HttpContext context, string id) => AnswerAsync(context, async () =>
    {
        if (!ResumableUploadStore.IsValidId(id) || !await store.DeleteAsync(id, context.RequestAborted).ConfigureAwait(false))
        {
            throw NotFound();
        }

        UploadLog.ResumableDeleted(store.Ingestor.Logger, id);
        return TypedResults.NoContent();
    });

    /// <summary><c>POST {prefix}/{id}</c> with <c>X-HTTP-Method-Override</c>: the method a proxy would not pass.</summary>
    public Task<IResult> OverrideAsync(HttpContext context, string id)
    {
        var method = context.Request.Headers["X-HTTP-Method-Override"].ToString().Trim().ToUpperInvariant();
        return method switch
        {
            "PATCH" => PatchAsync(context, id),
            "DELETE" => DeleteAsync(context, id),
            "HEAD" => HeadAsync(context, id),
            _ => AnswerAsync(context, () => throw new UploadException(UploadErrorKind.BadRequest,
                "POST to an upload needs X-HTTP-Method-Override: PATCH, DELETE or HEAD.")),
        };
    }

    // Every answer but OPTIONS says Tus-Resumable; every request but OPTIONS must speak the version (412 otherwise).
    private async Task<IResult> AnswerAsync(HttpContext context, Func<Task<IResult>> handle)
    {
        context.Response.Headers["Tus-Resumable"] = TusHeaders.Version;
        try
        {
            if (!TusHeaders.SpeaksVersion(context.Request))
            {
                throw new UploadException(UploadErrorKind.PreconditionFailed, $"This server speaks tus {TusHeaders.Version} (Tus-Resumable).")
                {
                    Headers = new Dictionary<string, string> { ["Tus-Version"] = TusHeaders.Version },
                };
            }

            return await handle().ConfigureAwait(false);
        }
        catch (UploadException error)
        {
            UploadLog.Answered(store.Ingestor.Logger, context.Request.Path.Value ?? "", error);
            return UploadResults.Problem(error);
        }
    }

    // The answer to the append that completes an upload also names its digest (Repr-Digest, as the other uploads do).
    private async Task AppendAsync(HttpContext context, ResumableUpload upload, long offset, UploadDigests checksum)
    {
        try
        {
            var appended = await _appender.AppendAsync(context, upload, offset, complete: false, checksum).ConfigureAwait(false);
            SetDigest(context, appended.Stored);
        }
        catch (UploadException mismatch) when (mismatch.Kind == UploadErrorKind.DigestMismatch)
        {
            throw new UploadException(UploadErrorKind.ChecksumMismatch, "The chunk does not match its Upload-Checksum; it was discarded.", mismatch)
            {
                Headers = new Dictionary<string, string> { ["Upload-Offset"] = upload.Offset.ToString(CultureInfo.InvariantCulture) },
            };
        }
    }

    private async Task<ResumableUpload> CreateUploadAsync(HttpContext context, ResumableUploadState state)
    {
        state.Compute = DigestWants.Resolve(context.Request.Headers, options.Digest);
        var upload = await store.CreateAsync(state, context.RequestAborted).ConfigureAwait(false);
        if (state.Name.Length == 0 && !state.Partial)
        {
            state.Name = upload.Id; // no file name in the metadata: the upload is published under its id
            await store.SaveAsync(upload, context.RequestAborted).ConfigureAwait(false);
        }

        UploadLog.ResumableCreated(store.Ingestor.Logger, upload.Id, state.Partial ? "(partial)" : state.Name,
            state.Length?.ToString(CultureInfo.InvariantCulture) ?? "deferred");
        context.Response.Headers.Location = UploadsPath(context) + "/" + upload.Id;
        return upload;
    }

    private async Task<ResumableUpload> LoadAsync(HttpContext context, string id)
    {
        return await _appender.LoadAsync(id, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound();
    }

    private void SetOffset(HttpContext context, ResumableUpload upload)
    {
        context.Response.Headers["Upload-Offset"] = upload.Offset.ToString(CultureInfo.InvariantCulture);
        if (!upload.State.Complete)
        {
            context.Response.Headers["Upload-Expires"] = TusHeaders.Date(upload.LastActivity + options.Resumable.Expiry);
        }
    }

    private static void SetDigest(HttpContext context, StoredUpload? stored)
    {
        if (stored?.ReprDigest is { } digest)
        {
            context.Response.Headers["Repr-Digest"] = digest;
        }
    }

    private static bool IsChunk(HttpRequest request)
        => string.Equals(request.ContentType?.Split(';')[0].Trim(), TusHeaders.ChunkContentType, StringComparison.OrdinalIgnoreCase);

    // From the request, not from the prefix alone: a mapping inside a route group (MapGroup("/api")) has a longer URL.
    private static string UploadsPath(HttpContext context) => ResumableHeaders.CollectionPath(context);

    private static string? NullIfEmpty(string value) => value.Trim().Length == 0 ? null : value.Trim();

    private static UploadException NotFound() => new(UploadErrorKind.NotFound, "No such upload (it may have expired or been terminated).");
}
