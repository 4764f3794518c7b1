using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>
/// The one resumable-upload engine under both protocols (the IETF draft's <see cref="ResumableUploadHandler"/> and
/// tus 1.0's <see cref="Tus.TusUploadHandler"/>): an append at an offset into the store, with the request's limits, the
/// upload slots, the per-request checksum, and every byte that arrived kept when the body fails midway; the upload
/// completed (verified and published atomically, or kept for a later concatenation) when asked or when it reaches
/// its announced length. Errors are thrown as <see cref="UploadException"/>s; each protocol maps them to its answer.
/// </summary>
internal sealed class ResumableAppender(ResumableUploadStore store, UploadOptions options)
{
    private readonly UploadIngestor _ingestor = store.Ingestor;

    public ResumableUploadStore Store => store;

    public UploadOptions Options => options;

    /// <summary>The directory completed uploads are published in (on the local disk).</summary>
    public string Root { get; } = ReferenceEquals(options, store.Ingestor.Options) ? store.Ingestor.Root : store.Ingestor.ResolveRoot(options.Root);

    /// <summary>The overwrite policy and the creation request's preconditions for target <paramref name="name"/>, checked
    /// at creation on the local disk; a shared store checks them itself when it publishes (the state keeps them).</summary>
    /// <exception cref="UploadException">The target exists and may not be replaced, or a precondition fails.</exception>
    public void CheckTarget(HttpRequest request, string? name)
    {
        if (name is not null && store is LocalResumableUploadStore)
        {
            UploadStorage.CheckPreconditions(request.Headers, Path.Join(Root, name), options.Overwrite);
        }
    }

    /// <summary>The upload <paramref name="id"/> names, unless there is none or it has expired: one the sweep has not
    /// reached yet is gone all the same, on every protocol.</summary>
    public async Task<ResumableUpload?> LoadAsync(string? id, CancellationToken cancellationToken)
    {
        var upload = await store.LoadAsync(id, cancellationToken).ConfigureAwait(false);
        return upload is not null && upload.LastActivity + options.Resumable.Expiry > DateTimeOffset.UtcNow ? upload : null;
    }

    /// <summary>Completes <paramref name="upload"/> if its bytes already reached its announced length but it is not
    /// complete: the server stopped (a crash, a kill) between an append's last byte and its publish. A client that saw
    /// the offset reach the length (every tus client; an IETF client's HEAD) sends nothing more, so the next question
    /// about the upload finishes it, on whichever instance it lands. Returns the upload as it is now; one an append
    /// here is busy with is left to that append.</summary>
    /// <exception cref="UploadException">The bytes do not match the digest announced at creation (the upload is
    /// removed), the target may not be replaced, or the store failed.</exception>
    public async Task<ResumableUpload> FinishIfFullAsync(ResumableUpload upload, CancellationToken cancellationToken)
    {
        if (upload.State.Complete || upload.State.Length != upload.Offset || !store.TryBeginAppend(upload.Id, out _))
        {
            return upload;
        }

        try
        {
            // Read again under the append slot: an append that ended meanwhile may have completed it already.
            if (await store.LoadAsync(upload.Id, cancellationToken).ConfigureAwait(false) is not { } current)
            {
                return upload;
            }

            if (!current.State.Complete && current.State.Length == current.Offset)
            {
                UploadLog.ResumableRecovered(_ingestor.Logger, current.Id, current.Offset);
                await CompleteAsync(current, cancellationToken).ConfigureAwait(false);
            }

            return current;
        }
        finally
        {
            store.EndAppend(upload.Id);
        }
    }

    /// <summary>Appends the request's body at <paramref name="offset"/> (checked by <paramref name="digests"/>), then
    /// completes the upload if <paramref name="complete"/> or if it reached its length.</summary>
    public async Task<ResumableAppendResult> AppendAsync(HttpContext context, ResumableUpload upload, long offset, bool complete, UploadDigests digests)
    {
        var (id, state) = (upload.Id, upload.State);
        if (!store.TryBeginAppend(id, out var appendCancel))
        {
            throw ResumableHeaders.WithOffset(UploadErrorKind.Conflict, upload.Offset, "Another request is appending to this upload; retry after it ends (HEAD gives the offset).");
        }

        var acquired = false;
        (long Kept, long Offset)? interrupted = null;
        long received = 0;
        var storedFiles = 0;
        var failed = true; // until the append ends well
        _ingestor.Metrics.Started();
        try
        {
            if (upload.Offset != offset)
            {
                throw ResumableHeaders.OffsetMismatch(upload.Offset, offset);
            }

            var limit = (state.Length ?? options.MaxSize) - offset;
            if (context.Request.ContentLength > limit)
            {
                throw state.Length is null ? UploadException.TooLarge(options.MaxSize) : PastLength();
            }

            if (complete && state.Length is { } announced && context.Request.ContentLength is { } sent && offset + sent != announced)
            {
                // Known from the headers: refused before a byte is read, so a refusal changes nothing.
                throw new UploadException(UploadErrorKind.InconsistentLength, $"The upload would end at {offset + sent} bytes but Upload-Length is {announced}.");
            }

            var body = UploadIngestor.ApplyRequestLimits(context, Math.Max(0, limit), options);
            acquired = _ingestor.TryEnter();
            if (!acquired)
            {
                throw UploadException.TooManyUploads();
            }

            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _ingestor.Stopping, appendCancel.Token);
            var running = store.RunningDigestFor(upload);
            digests.Also(running?.Observer);
            ResumableAppendOutcome appended;
            try
            {
                appended = await store.AppendAsync(upload, offset, body, Math.Max(0, limit), digests, UploadIngestor.MinWriteSizeFor(context), cancel.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                store.DropRunningDigest(id); // it saw bytes the store did not keep
                throw;
            }

            received = appended.Added;
            if (running is not null && running.HashedTo != appended.Offset)
            {
                store.DropRunningDigest(id);
            }

            if (appended.Interruption is { } error)
            {
                if (appendCancel.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
                {
                    throw new UploadException(UploadErrorKind.NotFound, "The upload was cancelled (DELETE) during this append.");
                }

                // Every byte that reached the store stays (none, for a checksummed one): the client resumes from the offset.
                interrupted = (appended.Added, appended.Offset); // logged once the append slot is free: the log line means "resume now"
                // Past the announced length, however it was found: by the copy's limit, by the store's, or by Kestrel's
                // request limit on a chunked body (413): the same 400 as a Content-Length past it gets before reading.
                // A store that holds less than the length left (a blob's blocks) is not that: a 413 that says so, and
                // the client resumes at the offset.
                var pastLength = error is UploadException { Kind: UploadErrorKind.TooLarge } or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
                    || (error is Storage.StoreException { Kind: Storage.StoreErrorKind.TooLarge } full && full.Limit >= limit);
                if (pastLength && state.Length is not null)
                {
                    throw PastLength();
                }

                // With a checksum of its own the append kept nothing (ChecksContent): the log must not say otherwise.
                throw _ingestor.Classify(context, error, appended.Added, kept: !digests.ChecksContent)
                    .With(closesConnection: false, new("Upload-Offset", appended.Offset.ToString(CultureInfo.InvariantCulture)));
            }

            var newOffset = appended.Offset;
            upload.LastActivity = DateTimeOffset.UtcNow;
            complete |= state.Length == newOffset;
            UploadLog.ResumableAppended(_ingestor.Logger, id, appended.Added, newOffset, completed: true);
            if (!complete)
            {
                failed = false;
                return new ResumableAppendResult(newOffset, null);
            }

            if (state.Length is { } expected && expected != newOffset)
            {
                throw new UploadException(UploadErrorKind.InconsistentLength, $"The upload ends at {newOffset} bytes but Upload-Length is {expected}.");
            }

            state.Length = newOffset;
            var stored = await CompleteAsync(upload, context.RequestAborted).ConfigureAwait(false);
            (failed, storedFiles) = (false, stored is null ? 0 : 1);
            return new ResumableAppendResult(newOffset, stored);
        }
        finally
        {
            _ingestor.Metrics.Ended(received, storedFiles, failed);
            if (acquired)
            {
                _ingestor.Exit();
            }

            store.EndAppend(id);
            if (interrupted is { } broken)
            {
                UploadLog.ResumableAppended(_ingestor.Logger, id, broken.Kept, broken.Offset, completed: false);
            }
        }
    }

    // A part of a later concatenation is only marked complete: its bytes stay where they are until the final upload
    // takes them. Any other upload is verified and published under its name.
    private async Task<StoredUpload?> CompleteAsync(ResumableUpload upload, CancellationToken cancellationToken)
    {
        if (upload.State.Partial)
        {
            store.DropRunningDigest(upload.Id); // the final upload digests the joined bytes itself
            upload.State.Complete = true;
            upload.State.StoredLength = upload.Offset;
            await store.SaveAsync(upload, cancellationToken).ConfigureAwait(false);
            return null;
        }

        return await store.PublishAsync(upload, [upload], options, Root, cancellationToken).ConfigureAwait(false);
    }

    private static UploadException PastLength() => new(UploadErrorKind.InconsistentLength, "The content goes past Upload-Length.");
}

/// <summary>Where an append left its upload, and what it published if it completed it (nothing for a partial upload).</summary>
internal readonly record struct ResumableAppendResult(long Offset, StoredUpload? Stored)
{
    public bool Completed => Stored is not null;
}
