using AspNetStreaming.Responses;
using System.Globalization;
using AspNetStreaming.Transport.Informational;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>
/// The resumable upload protocol (draft-ietf-httpbis-resumable-upload-05, interop version 6, and -03, interop
/// version 5, chosen per request by <see cref="ResumableInterop"/>): creation by POST, offset retrieval by HEAD,
/// append by PATCH, cancellation by DELETE. Reaching the announced <c>Upload-Length</c> completes an upload, as
/// tusd does: clients that learn of their end only one read later send their last append with
/// <c>Upload-Complete: ?0</c> and take offset == length for success.
/// </summary>
internal sealed class ResumableUploadHandler(ResumableUploadStore store, UploadOptions options)
{
    /// <summary>The latest <c>Upload-Draft-Interop-Version</c> implemented.</summary>
    public const string InteropVersion = ResumableInterop.Latest;

    private readonly UploadIngestor _ingestor = store.Ingestor;
    private readonly ResumableAppender _appender = new(store, options);

    public async Task<IResult> CreateAsync(HttpContext context, string name)
    {
        var request = context.Request;
        try
        {
            if (!UploadNames.IsValid(name, options.MaxNameLength, out var reason))
            {
                throw UploadException.BadRequest($"The file name is not acceptable: {reason}.");
            }

            _appender.CheckTarget(request, name);
            var complete = ResumableHeaders.ParseComplete(request);
            var length = ResumableHeaders.ParseLength(request);
            if (ResumableHeaders.ParseOffset(request, required: false) is > 0)
            {
                throw UploadException.BadRequest("A new upload starts at offset 0.");
            }

            if (length > options.MaxSize || request.ContentLength > options.MaxSize)
            {
                throw UploadException.TooLarge(options.MaxSize);
            }

            if (complete && length is { } total && request.ContentLength is { } body && body != total)
            {
                throw Inconsistent("Upload-Length does not match the length of a complete upload.");
            }

            if (length is { } announced && request.ContentLength > announced)
            {
                // Refused before the upload exists: a refused creation leaves nothing to resume.
                throw Inconsistent("The content goes past Upload-Length.");
            }

            var (sha256, sha512) = UploadDigests.ReprDigestsOf(request.Headers);
            var state = new ResumableUploadState
            {
                Name = name,
                Length = length,
                CreateOnly = request.Headers.IfNoneMatch.ToString().Trim() == "*",
                IfMatch = request.Headers.IfMatch.ToString().Trim() is { Length: > 0 } ifMatch ? ifMatch : null,
                ExpectedSha256 = sha256 is null ? null : Convert.ToBase64String(sha256),
                ExpectedSha512 = sha512 is null ? null : Convert.ToBase64String(sha512),
                Compute = DigestWants.Resolve(request.Headers, options.Digest),
            };
            var upload = await store.CreateAsync(state, context.RequestAborted).ConfigureAwait(false);
            var id = upload.Id;
            UploadLog.ResumableCreated(_ingestor.Logger, id, name, length?.ToString(CultureInfo.InvariantCulture) ?? "unknown");
            var location = LocationOf(context, id);
            context.Response.Headers.Location = location;

            // 104 before the first body byte is read, so a client whose creation request is cut off already knows
            // where to resume. Sent only to clients of our interop version, and only on connections set up with
            // UseInformationalResponses (ASP.NET Core itself cannot send it, dotnet/aspnetcore#27851); never through a
            // proxy, which may take it for the final answer (nginx does, and then waits for a close that never comes).
            if (ResumableInterop.IsNamedBy(request) && options.Resumable.SendResumptionSupported && !CameThroughProxy(request)
                && await context.TrySendInformationalResponseAsync(104, "Upload Resumption Supported",
                    [new("Location", location), new("Upload-Draft-Interop-Version", ResumableInterop.Of(request))], context.RequestAborted).ConfigureAwait(false))
            {
                UploadLog.ResumptionSupportedSent(_ingestor.Logger, id);
            }
            return await AppendAsync(context, upload, 0, complete, created: true).ConfigureAwait(false);
        }
        catch (UploadException error)
        {
            return Problem(context, error);
        }
    }

    /// <summary>The draft's discovery: <c>OPTIONS</c> on the creation resource answers the server's limits.</summary>
    public IResult Options(HttpContext context)
    {
        context.Response.Headers["Upload-Limit"] = UploadLimit;
        ResumableInterop.Answer(context);
        return TypedResults.NoContent();
    }

    public async Task<IResult> HeadAsync(HttpContext context, string id)
    {
        try
        {
            if (await _appender.LoadAsync(id, context.RequestAborted).ConfigureAwait(false) is not { } found)
            {
                return NotFound(context);
            }

            var upload = await _appender.FinishIfFullAsync(found, context.RequestAborted).ConfigureAwait(false);
            context.Response.Headers.CacheControl = "no-store";
            SetUploadHeaders(context, upload.Offset, upload.State.Complete, upload.State.Length);
            return TypedResults.NoContent();
        }
        catch (UploadException error)
        {
            return Problem(context, error);
        }
    }

    public async Task<IResult> PatchAsync(HttpContext context, string id)
    {
        var request = context.Request;
        try
        {
            if (await _appender.LoadAsync(id, context.RequestAborted).ConfigureAwait(false) is not { } upload)
            {
                return NotFound(context);
            }

            var state = upload.State;
            context.Response.Headers.CacheControl = "no-store";
            if (ResumableInterop.RequiresPartialUploadMediaType(ResumableInterop.Of(request))
                && !string.Equals(request.ContentType?.Split(';')[0].Trim(), "application/partial-upload", StringComparison.OrdinalIgnoreCase))
            {
                throw new UploadException(UploadErrorKind.UnsupportedMediaType, "Appends must have Content-Type: application/partial-upload.");
            }

            var offset = ResumableHeaders.ParseOffset(request, required: true)!.Value;
            var complete = ResumableHeaders.ParseComplete(request);
            if (state.Complete)
            {
                throw new UploadException(UploadErrorKind.CompletedUpload, "The upload is already complete.");
            }

            var length = ResumableHeaders.ParseLength(request);
            if (length is not null)
            {
                if (state.Length is { } known && known != length)
                {
                    throw Inconsistent("Upload-Length differs from the one announced before.");
                }

                if (length > options.MaxSize)
                {
                    throw UploadException.TooLarge(options.MaxSize);
                }

                if (state.Length is null)
                {
                    state.Length = length;
                    await store.SaveAsync(upload, context.RequestAborted).ConfigureAwait(false);
                }
            }

            return await AppendAsync(context, upload, offset, complete, created: false).ConfigureAwait(false);
        }
        catch (UploadException error)
        {
            return Problem(context, error);
        }
    }

    public async Task<IResult> DeleteAsync(HttpContext context, string id)
    {
        try
        {
            if (!ResumableUploadStore.IsValidId(id) || !await store.DeleteAsync(id, context.RequestAborted).ConfigureAwait(false))
            {
                return NotFound(context);
            }

            UploadLog.ResumableDeleted(_ingestor.Logger, id);
            ResumableInterop.Answer(context); // named in every answer of the draft, this one too
            return TypedResults.NoContent();
        }
        catch (UploadException error)
        {
            return Problem(context, error);
        }
    }

    private async Task<IResult> AppendAsync(HttpContext context, ResumableUpload upload, long offset, bool complete, bool created)
    {
        using var digests = UploadDigests.FromHeaders(context.Request.Headers, DigestAlgorithms.None, includeRepresentation: false);
        var appended = await _appender.AppendAsync(context, upload, offset, complete, digests).ConfigureAwait(false);
        SetUploadHeaders(context, appended.Offset, appended.Completed, upload.State.Length);
        if (appended.Stored is { } stored)
        {
            return UploadResults.Stored(stored, created ? LocationOf(context, upload.Id) : null);
        }

        return created ? TypedResults.StatusCode(StatusCodes.Status201Created) : TypedResults.NoContent();
    }

    private void SetUploadHeaders(HttpContext context, long offset, bool complete, long? length)
    {
        var headers = context.Response.Headers;
        headers["Upload-Offset"] = offset.ToString(CultureInfo.InvariantCulture);
        headers["Upload-Complete"] = complete ? "?1" : "?0";
        if (length is { } known)
        {
            headers["Upload-Length"] = known.ToString(CultureInfo.InvariantCulture);
        }

        headers["Upload-Limit"] = UploadLimit;
        ResumableInterop.Answer(context);
    }

    private string UploadLimit => string.Create(CultureInfo.InvariantCulture,
        $"max-size={options.MaxSize}, expires={(long)options.Resumable.Expiry.TotalSeconds}");

    // From the request, not from the prefix alone: a mapping inside a route group (MapGroup("/api")) has a longer URL.
    private static bool CameThroughProxy(HttpRequest request)
        => request.Headers.ContainsKey("Forwarded") || request.Headers.ContainsKey("X-Forwarded-For") || request.Headers.ContainsKey("X-Original-For")
           || request.Headers.ContainsKey("Via");

    private static string LocationOf(HttpContext context, string id) => $"{ResumableHeaders.CollectionPath(context)}/{id}";

    private static UploadException Inconsistent(string detail) => new(UploadErrorKind.InconsistentLength, detail);

    private UploadProblemHttpResult Problem(HttpContext context, UploadException error)
    {
        UploadLog.Answered(_ingestor.Logger, context.Request.Path.Value ?? "", error);
        ResumableInterop.Answer(context);
        return UploadResults.Problem(error);
    }

    private Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotFound(HttpContext context)
    {
        const string Detail = "No such upload (it may have expired or been cancelled).";
        UploadLog.Rejected(_ingestor.Logger, context.Request.Path.Value ?? "", StatusCodes.Status404NotFound, Detail);
        ResumableInterop.Answer(context); // every answer of the protocol carries it, a 404 too
        return Problems.Of(StatusCodes.Status404NotFound, "Not Found", Detail);
    }
}
