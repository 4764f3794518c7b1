using System.IO.Pipelines;
using System.Text.Json;
using AspNetStreaming.IO;

namespace AspNetStreaming.Uploads;

/// <summary>Resumable uploads on the local disk: <c>{root}/.resumable/{id}.part</c> (the bytes received so far, so
/// the offset is its length: exactly the bytes that reached the disk) and <c>{id}.json</c> (the state).</summary>
internal sealed class LocalResumableUploadStore : ResumableUploadStore
{
    public LocalResumableUploadStore(UploadIngestor ingestor)
        : base(ingestor)
    {
        Directory = Path.Join(ingestor.Root, ".resumable");
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public override string Location => Directory;

    public string PartPath(string id) => Path.Join(Directory, id + ".part");

    public string StatePath(string id) => Path.Join(Directory, id + ".json");

    public override Task<ResumableUpload> CreateAsync(ResumableUploadState state, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        // The disk space of an announced length is reserved up front, as for a raw upload (its length stays 0: the
        // offset is the file's length).
        using (AsyncFile.OpenWrite(PartPath(id), FileWriteMode.CreateNew, Ingestor.Options.Preallocate ? state.Length ?? 0 : 0))
        {
        }

        Save(id, state);
        return Task.FromResult(new ResumableUpload(id, state, 0));
    }

    public override Task<ResumableUpload?> LoadAsync(string? id, CancellationToken cancellationToken)
    {
        if (!IsValidId(id))
        {
            return Task.FromResult<ResumableUpload?>(null);
        }

        try
        {
            var state = JsonSerializer.Deserialize(File.ReadAllBytes(StatePath(id!)), ResumableUploadJsonContext.Default.ResumableUploadState);
            if (state is null)
            {
                return Task.FromResult<ResumableUpload?>(null);
            }

            var part = new FileInfo(PartPath(id!));
            if (state.Publishing && !state.Complete && !part.Exists)
            {
                // Renamed to its name, then killed before the state said complete: the upload is published. (Not
                // saved from here: a load must not race the publish's own save of the same state.)
                state.Complete = true;
            }

            var offset = state.Complete ? state.StoredLength : part.Exists ? part.Length : 0;
            var lastActivity = File.GetLastWriteTimeUtc(StatePath(id!));
            if (part.Exists && part.LastWriteTimeUtc > lastActivity)
            {
                lastActivity = part.LastWriteTimeUtc;
            }

            return Task.FromResult<ResumableUpload?>(new ResumableUpload(id!, state, offset) { LastActivity = new DateTimeOffset(lastActivity, TimeSpan.Zero) });
        }
        catch (Exception error) when (error is IOException or JsonException or UnauthorizedAccessException)
        {
            return Task.FromResult<ResumableUpload?>(null);
        }
    }

    public override Task SaveAsync(ResumableUpload upload, CancellationToken cancellationToken)
    {
        Save(upload.Id, upload.State);
        return Task.CompletedTask;
    }

    public override async Task<ResumableAppendOutcome> AppendAsync(ResumableUpload upload, long offset, PipeReader body, long limit,
        UploadDigests digests, int minWriteSize, CancellationToken cancellationToken)
    {
        using var file = AsyncFile.OpenWrite(PartPath(upload.Id), FileWriteMode.OpenExisting);
        var current = file.Length; // the disk, not the state, knows the offset
        if (current != offset)
        {
            throw ResumableHeaders.OffsetMismatch(current, offset);
        }

        long written;
        try
        {
            written = await UploadIngestor.ReceiveAsync(body, file, current, limit, digests, cancellationToken, minWriteSize).ConfigureAwait(false);
            digests.Verify();
        }
        catch (UploadException mismatch) when (mismatch.Kind == UploadErrorKind.DigestMismatch)
        {
            // This request's content is wrong: drop exactly what it added, keep the earlier bytes.
            file.SetLength(current);
            throw;
        }
        catch (Exception error) when (digests.ChecksContent)
        {
            // The request's checksum covers bytes that never came, so none of what did can be checked: the chunk is
            // discarded whole (tus checksum, RFC 9530 Content-Digest), and the client resends it from the old offset.
            file.SetLength(current);
            upload.Offset = current;
            return new ResumableAppendOutcome(0, current, error);
        }
        catch (Exception error)
        {
            // Every byte that reached the disk stays: the client resumes from the file's length.
            upload.Offset = file.Length;
            return new ResumableAppendOutcome(file.Length - current, file.Length, error);
        }

        upload.Offset = current + written;
        return new ResumableAppendOutcome(written, upload.Offset, null);
    }

    public override async Task<StoredUpload> PublishAsync(ResumableUpload upload, IReadOnlyList<ResumableUpload> parts, UploadOptions options, string root,
        CancellationToken cancellationToken)
    {
        using var file = AsyncFile.OpenWrite(PartPath(upload.Id), FileWriteMode.OpenExisting);
        var concatenation = parts.Count != 1 || parts[0].Id != upload.Id;
        if (concatenation)
        {
            // The parts, in order, into the final upload's own data file; published from there like any upload. The
            // copy feeds the new upload's running digest, so the publish does not read the joined file back.
            file.SetLength(0);
            var running = RunningDigestFor(upload);
            long position = 0;
            foreach (var part in parts)
            {
                using var source = AsyncFile.OpenRead(PartPath(part.Id));
                position += await CopyAsync(source, file, position, running?.Observer, cancellationToken).ConfigureAwait(false);
            }
        }

        var stored = await new ResumablePublisher(this, options, root).PublishAsync(upload.Id, upload.State, file, cancellationToken).ConfigureAwait(false);
        if (concatenation)
        {
            foreach (var part in parts)
            {
                Remove(part.Id);
            }
        }

        return stored;
    }

    private static async Task<long> CopyAsync(AsyncFile source, AsyncFile target, long position, Action<System.Buffers.ReadOnlySequence<byte>>? observer,
        CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long copied = 0;
            int read;
            while ((read = await source.ReadAsync(copied, buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await target.WriteAsync(position + copied, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                observer?.Invoke(new System.Buffers.ReadOnlySequence<byte>(buffer, 0, read));
                copied += read;
            }

            return copied;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes the state through a temporary file and a rename, so a crash never leaves half a state. With
    /// <see cref="UploadOptions.Durable"/>, the state's bytes and its rename reach the disk before this returns: a state
    /// lost to a power cut would lose the whole upload (its data file means nothing without it).</summary>
    public void Save(string id, ResumableUploadState state)
    {
        var temp = StatePath(id) + ".tmp";
        var durable = Ingestor.Options.Durable;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(state, ResumableUploadJsonContext.Default.ResumableUploadState));
            if (durable)
            {
                stream.Flush(flushToDisk: true);
            }
        }

        File.Move(temp, StatePath(id), overwrite: true);
        if (durable)
        {
            UploadStorage.SyncDirectory(Directory);
        }
    }

    protected override Task<bool> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        var existed = File.Exists(StatePath(id));
        Remove(id);
        return Task.FromResult(existed);
    }

    /// <summary>Removes the files of an upload (its append, if any, was cancelled by the caller).</summary>
    public void Remove(string id)
    {
        _ = UploadStorage.TryDelete(StatePath(id));
        _ = UploadStorage.TryDelete(PartPath(id));
    }

    public override Task<int> RemoveExpiredAsync(DateTime nowUtc, TimeSpan expiry, CancellationToken cancellationToken)
    {
        DropStaleRunningDigests(nowUtc, expiry);
        var removed = 0;
        foreach (var statePath in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            var id = Path.GetFileNameWithoutExtension(statePath);
            if (!IsValidId(id) || IsActive(id))
            {
                continue;
            }

            var lastActivity = File.GetLastWriteTimeUtc(statePath);
            var part = PartPath(id);
            if (File.Exists(part) && File.GetLastWriteTimeUtc(part) > lastActivity)
            {
                lastActivity = File.GetLastWriteTimeUtc(part);
            }

            var age = nowUtc - lastActivity;
            if (age > expiry)
            {
                Remove(id);
                UploadLog.ResumableExpired(Ingestor.Logger, id, age);
                removed++;
            }
        }

        // Data files whose state was never written (a crash between the two) expire the same way.
        foreach (var part in System.IO.Directory.EnumerateFiles(Directory, "*.part"))
        {
            var id = Path.GetFileNameWithoutExtension(part);
            if (!File.Exists(StatePath(id)) && !IsActive(id) && nowUtc - File.GetLastWriteTimeUtc(part) > expiry)
            {
                _ = UploadStorage.TryDelete(part);
                removed++;
            }
        }

        return Task.FromResult(removed);
    }
}
