using System.Collections.Concurrent;
using System.IO.Pipelines;

namespace AspNetStreaming.Uploads;

/// <summary>
/// Where resumable uploads live between their requests: on the local disk (<see cref="LocalResumableUploadStore"/>,
/// the default) or in the configured shared store (<see cref="SharedResumableUploadStore"/>), so that creation,
/// offset, appends and cancellation may each land on another instance. The protocol handlers speak only to this.
/// Also tracks which uploads have an append running on this instance (a second one gets 409 at once; a DELETE
/// cancels it).
/// </summary>
internal abstract class ResumableUploadStore(UploadIngestor ingestor)
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RunningDigest> _running = new(StringComparer.Ordinal);

    public UploadIngestor Ingestor { get; } = ingestor;

    /// <summary>Where the uploads are, for log lines (a directory, or the store's prefix).</summary>
    public abstract string Location { get; }

    public static bool IsValidId(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    /// <summary>Creates an upload with no bytes yet.</summary>
    public abstract Task<ResumableUpload> CreateAsync(ResumableUploadState state, CancellationToken cancellationToken);

    /// <summary>The upload <paramref name="id"/> names, with its offset now; <see langword="null"/> when there is none.</summary>
    public abstract Task<ResumableUpload?> LoadAsync(string? id, CancellationToken cancellationToken);

    /// <summary>Saves a changed <see cref="ResumableUpload.State"/>.</summary>
    /// <exception cref="UploadException">Another request changed the upload first (409 with its offset), or the store failed.</exception>
    public abstract Task SaveAsync(ResumableUpload upload, CancellationToken cancellationToken);

    /// <summary>Appends <paramref name="body"/> at <paramref name="offset"/> (at most <paramref name="limit"/> bytes,
    /// <paramref name="digests"/> watching and checked before the bytes count). A body that fails midway keeps every
    /// byte that arrived and says why in the outcome; a digest mismatch keeps none of this request's bytes.</summary>
    /// <exception cref="UploadException">The offset is not the upload's, the digest does not match, another request
    /// appended first, or the store failed; the upload is as it was.</exception>
    public abstract Task<ResumableAppendOutcome> AppendAsync(ResumableUpload upload, long offset, PipeReader body, long limit, UploadDigests digests,
        int minWriteSize, CancellationToken cancellationToken);

    /// <summary>Verifies the bytes of <paramref name="parts"/>, in order (the upload itself, or the partial uploads a
    /// final one concatenates), against the digest announced at creation, publishes them atomically as one file under
    /// <paramref name="upload"/>'s name (in <paramref name="root"/> on the local disk) and marks it complete; the
    /// parts of a concatenation are removed after.</summary>
    public abstract Task<StoredUpload> PublishAsync(ResumableUpload upload, IReadOnlyList<ResumableUpload> parts, UploadOptions options, string root,
        CancellationToken cancellationToken);

    /// <summary>Removes an upload (an append running on it here is cancelled first); whether there was one.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (_active.TryGetValue(id, out var cancel))
        {
            try
            {
                cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The append ended meanwhile.
            }
        }

        DropRunningDigest(id);
        return await RemoveAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes uploads (finished or not) with no activity for longer than <paramref name="expiry"/>. Safe on
    /// every instance at once: an upload is removed only if it did not change since it was found expired.</summary>
    /// <returns>How many were removed.</returns>
    public abstract Task<int> RemoveExpiredAsync(DateTime nowUtc, TimeSpan expiry, CancellationToken cancellationToken);

    protected abstract Task<bool> RemoveAsync(string id, CancellationToken cancellationToken);

    /// <summary>The running whole-file digest to feed with an append at <paramref name="upload"/>'s offset: the one this
    /// instance has up to exactly there, a new one at offset 0, else none (the completion will read the upload back).
    /// Call only while holding the upload's append slot.</summary>
    public RunningDigest? RunningDigestFor(ResumableUpload upload)
    {
        var state = upload.State;
        if (state.Compute == DigestAlgorithms.None && state.ExpectedSha256 is null && state.ExpectedSha512 is null)
        {
            return null;
        }

        if (_running.TryGetValue(upload.Id, out var running) && running.HashedTo == upload.Offset)
        {
            return running;
        }

        DropRunningDigest(upload.Id);
        return upload.Offset == 0 ? _running.GetOrAdd(upload.Id, _ => new RunningDigest(state.ExpectedSha512 is not null || state.Compute.HasFlag(DigestAlgorithms.Sha512))) : null;
    }

    /// <summary>The running digest of all <paramref name="length"/> bytes of upload <paramref name="id"/>, taken out
    /// (to finish it), or none when this instance did not see them all.</summary>
    public RunningDigest? TakeRunningDigest(string id, long length)
        => _running.TryRemove(id, out var running) && (running.HashedTo == length || Dispose(running)) ? running : null;

    public void DropRunningDigest(string id)
    {
        if (_running.TryRemove(id, out var running))
        {
            running.Dispose();
        }
    }

    /// <summary>Drops the running digests not fed for longer than <paramref name="expiry"/> (uploads that went away).</summary>
    protected void DropStaleRunningDigests(DateTime nowUtc, TimeSpan expiry)
    {
        foreach (var (id, running) in _running)
        {
            if (nowUtc - running.LastUsedUtc > expiry && !IsActive(id))
            {
                DropRunningDigest(id);
            }
        }
    }

    private static bool Dispose(RunningDigest running)
    {
        running.Dispose();
        return false;
    }

    /// <summary>Marks an append as running here; false when another one is.</summary>
    public bool TryBeginAppend(string id, out CancellationTokenSource cancel)
    {
        cancel = new CancellationTokenSource();
        if (_active.TryAdd(id, cancel))
        {
            return true;
        }

        cancel.Dispose();
        return false;
    }

    public void EndAppend(string id)
    {
        if (_active.TryRemove(id, out var cancel))
        {
            cancel.Dispose();
        }
    }

    public bool IsActive(string id) => _active.ContainsKey(id);
}

/// <summary>One resumable upload as a request found it: its id, state and offset, and the store's version of it
/// (the blob's entity tag a change is conditional on; nothing on the local disk).</summary>
internal sealed class ResumableUpload(string id, ResumableUploadState state, long offset)
{
    public string Id { get; } = id;

    public ResumableUploadState State { get; } = state;

    public long Offset { get; set; } = offset;

    /// <summary>When the upload last changed: it expires <see cref="ResumableUploadOptions.Expiry"/> after that.</summary>
    public DateTimeOffset LastActivity { get; set; } = DateTimeOffset.UtcNow;

    public object? Version { get; set; }
}

/// <summary>What an append came to: the bytes it added, the offset after it, and, when the body failed midway, why.</summary>
internal readonly record struct ResumableAppendOutcome(long Added, long Offset, Exception? Interruption);
