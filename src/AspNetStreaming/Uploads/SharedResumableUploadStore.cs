using System.IO.Pipelines;
using System.Text.Json;
using AspNetStreaming.Storage;

namespace AspNetStreaming.Uploads;

/// <summary>
/// Resumable uploads in the configured shared store (a blob container), so that every instance behind a load
/// balancer continues the same upload: the state is JSON kept with the bytes, and every change is conditional on the
/// version the request read. Of two requests racing from two instances, the loser is told 409 with the offset the
/// winner left (never an in-process lock: the instances share nothing but the store).
/// </summary>
internal sealed class SharedResumableUploadStore(UploadIngestor ingestor, ResumableObjectStore objects) : ResumableUploadStore(ingestor)
{
    public override string Location => "the shared store";

    public override async Task<ResumableUpload> CreateAsync(ResumableUploadState state, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var created = await Guarded(() => objects.CreateAsync(id, Serialize(state), cancellationToken)).ConfigureAwait(false);
        return new ResumableUpload(id, state, 0) { Version = created };
    }

    public override async Task<ResumableUpload?> LoadAsync(string? id, CancellationToken cancellationToken)
    {
        if (!IsValidId(id))
        {
            return null;
        }

        var found = await Guarded(() => objects.FindAsync(id!, cancellationToken)).ConfigureAwait(false);
        return found is null ? null : Upload(found);
    }

    public override async Task SaveAsync(ResumableUpload upload, CancellationToken cancellationToken)
    {
        try
        {
            upload.Version = await objects.SetStateAsync(Current(upload), Serialize(upload.State), cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException error) when (error.Kind == StoreErrorKind.PreconditionFailed)
        {
            throw await LostRaceAsync(upload.Id, error, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException error)
        {
            throw UploadErrors.FromStore(error, Ingestor.Options.MaxSize);
        }
    }

    public override async Task<ResumableAppendOutcome> AppendAsync(ResumableUpload upload, long offset, PipeReader body, long limit,
        UploadDigests digests, int minWriteSize, CancellationToken cancellationToken)
    {
        if (upload.Offset != offset)
        {
            throw ResumableHeaders.OffsetMismatch(upload.Offset, offset);
        }

        // Marked before a byte is staged, and again while the body streams: staging changes neither the upload's
        // version nor its time, and another instance's sweep must not take a long append's upload for an abandoned one.
        await Guarded(async () =>
        {
            await objects.MarkActiveAsync(upload.Id, cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
        using var stopMarking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var marking = KeepMarkingAsync(upload.Id, stopMarking.Token);
        try
        {
            var appended = await objects.AppendAsync(Current(upload), body, new StoreWriteOptions
            {
                MaxBytes = limit,
                Observer = digests.IsActive ? digests.Observer : null,
                BeforeCommit = digests.Verify,
                DiscardOnInterruption = digests.ChecksContent,
            }, cancellationToken).ConfigureAwait(false);
            upload.Version = appended.Upload;
            upload.Offset = appended.Upload.Length;
            return new ResumableAppendOutcome(appended.Added, upload.Offset, appended.Interruption);
        }
        catch (StoreException error) when (error.Kind == StoreErrorKind.PreconditionFailed)
        {
            throw await LostRaceAsync(upload.Id, error, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException error) when (error.Kind == StoreErrorKind.Unavailable)
        {
            // Nothing of this request counted; the client resumes from the offset it had.
            return new ResumableAppendOutcome(0, upload.Offset, error);
        }
        catch (StoreException error)
        {
            throw UploadErrors.FromStore(error, Ingestor.Options.MaxSize);
        }
        finally
        {
            await stopMarking.CancelAsync().ConfigureAwait(false);
            await marking.ConfigureAwait(false);
        }
    }

    // A quarter of the expiry (at most a minute) between marks: an append is seen as live by every sweep however long
    // its body takes, and a mark left by a process that died ages out like any other activity.
    private async Task KeepMarkingAsync(string id, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromTicks(Math.Clamp(Ingestor.Options.Resumable.Expiry.Ticks / 4, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerMinute));
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await objects.MarkActiveAsync(id, cancellationToken).ConfigureAwait(false);
                }
                catch (StoreException)
                {
                    // The append's own calls meet the same store and answer for it; the next tick tries again.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task<StoredUpload> PublishAsync(ResumableUpload upload, IReadOnlyList<ResumableUpload> parts, UploadOptions options, string root,
        CancellationToken cancellationToken)
    {
        var state = upload.State;
        byte[]? expected256 = state.ExpectedSha256 is null ? null : Convert.FromBase64String(state.ExpectedSha256);
        byte[]? expected512 = state.ExpectedSha512 is null ? null : Convert.FromBase64String(state.ExpectedSha512);
        var single = parts.Count == 1 && parts[0].Id == upload.Id;
        using var digests = single
            ? ResumablePublisher.DigestsFor(this, upload.Id, upload.Offset, expected256, expected512, state.Compute)
            : UploadDigests.Expecting(expected256, expected512, state.Compute);
        state.Complete = true;
        state.StoredLength = parts.Sum(part => part.Offset);
        StoreWriteResult published;
        try
        {
            published = await objects.PublishAsync(Current(upload), parts.Select(Current).ToList(), state.Name, new StoreWriteOptions
            {
                Observer = digests.IsActive ? digests.Observer : null,
                BeforeCommit = () =>
                {
                    digests.Verify();
                    (state.StoredSha256, state.StoredSha512) = (ResumablePublisher.Base64OrNull(digests.Sha256), ResumablePublisher.Base64OrNull(digests.Sha512));
                },
                CreateOnly = options.Overwrite == UploadOverwritePolicy.Reject,
                IfNoneMatch = state.CreateOnly,
                IfMatch = state.IfMatch,
            }, Serialize(state), cancellationToken).ConfigureAwait(false);
        }
        catch (UploadException mismatch) when (mismatch.Kind == UploadErrorKind.DigestMismatch)
        {
            state.Complete = false;
            await RemoveAsync(upload.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (StoreException error)
        {
            state.Complete = false;
            throw UploadErrors.FromStore(error, options.MaxSize);
        }

        if (!single)
        {
            foreach (var part in parts)
            {
                await RemoveAsync(part.Id, CancellationToken.None).ConfigureAwait(false);
            }
        }

        UploadLog.Stored(Ingestor.Logger, state.Name, published.Length, published.Replaced);
        return new StoredUpload(state.Name, published.Location ?? state.Name, published.Length, digests.Sha256, published.Replaced, published.ETag) { Sha512 = digests.Sha512 };
    }

    public override async Task<int> RemoveExpiredAsync(DateTime nowUtc, TimeSpan expiry, CancellationToken cancellationToken)
    {
        DropStaleRunningDigests(nowUtc, expiry);
        var removed = 0;
        await foreach (var upload in objects.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            // Activity is the last change or the last mark of an append, whichever is later.
            var lastActivity = upload.LastMarkedActive > upload.LastModified ? upload.LastMarkedActive.Value : upload.LastModified;
            var age = nowUtc - lastActivity.UtcDateTime;
            if (age > expiry && !IsActive(upload.Id) && await objects.DeleteIfUnchangedAsync(upload, cancellationToken).ConfigureAwait(false))
            {
                UploadLog.ResumableExpired(Ingestor.Logger, upload.Id, age);
                removed++;
            }
        }

        return removed;
    }

    protected override Task<bool> RemoveAsync(string id, CancellationToken cancellationToken) => Guarded(() => objects.DeleteAsync(id, cancellationToken));

    // Another instance changed the upload since this request read it: 409 with the offset it has now, or 404 if gone.
    private async Task<UploadException> LostRaceAsync(string id, StoreException error, CancellationToken cancellationToken)
    {
        var now = await LoadAsync(id, cancellationToken).ConfigureAwait(false);
        return now is null
            ? new UploadException(UploadErrorKind.NotFound, "The upload was cancelled or expired during this request.", error)
            : ResumableHeaders.WithOffset(UploadErrorKind.Conflict, now.Offset, "Another request changed this upload first; resume from Upload-Offset.", error);
    }

    private static ResumableObject Current(ResumableUpload upload) => (ResumableObject)upload.Version!;

    private static ResumableUpload? Upload(ResumableObject found)
    {
        ResumableUploadState? state;
        try
        {
            state = JsonSerializer.Deserialize(found.State, ResumableUploadJsonContext.Default.ResumableUploadState);
        }
        catch (JsonException)
        {
            return null; // not one of ours
        }

        return state is null ? null : new ResumableUpload(found.Id, state, state.Complete ? state.StoredLength : found.Length)
        {
            Version = found,
            LastActivity = found.LastModified,
        };
    }

    private static string Serialize(ResumableUploadState state) => JsonSerializer.Serialize(state, ResumableUploadJsonContext.Default.ResumableUploadState);

    private async Task<T> Guarded<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (StoreException error)
        {
            if (error.Kind == StoreErrorKind.Unavailable)
            {
                UploadLog.StoreUnavailable(Ingestor.Logger, Location, error.Message);
            }

            throw UploadErrors.FromStore(error, Ingestor.Options.MaxSize);
        }
    }
}
