using System.Collections.Concurrent;
using System.Text.Json;

namespace AspNetStreaming.Uploads;

/// <summary>Resumable uploads on disk: <c>{root}/.resumable/{id}.part</c> (the bytes received so far) and
/// <c>{id}.json</c> (the state). Tracks which uploads have an append in progress.</summary>
internal sealed class ResumableUploadStore
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _active = new(StringComparer.Ordinal);

    public ResumableUploadStore(UploadIngestor ingestor)
    {
        Ingestor = ingestor;
        Directory = Path.Join(ingestor.Root, ".resumable");
        System.IO.Directory.CreateDirectory(Directory);
    }

    public UploadIngestor Ingestor { get; }

    public string Directory { get; }

    public static bool IsValidId(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);

    public string PartPath(string id) => Path.Join(Directory, id + ".part");

    public string StatePath(string id) => Path.Join(Directory, id + ".json");

    public string Create(ResumableUploadState state)
    {
        var id = Guid.NewGuid().ToString("N");
        File.WriteAllBytes(PartPath(id), []);
        Save(id, state);
        return id;
    }

    public bool TryLoad(string? id, out ResumableUploadState state)
    {
        state = null!;
        if (!IsValidId(id))
        {
            return false;
        }

        try
        {
            state = JsonSerializer.Deserialize(File.ReadAllBytes(StatePath(id!)), ResumableUploadJsonContext.Default.ResumableUploadState)!;
            return state is not null;
        }
        catch (Exception error) when (error is IOException or JsonException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Writes the state through a temporary file and a rename, so a crash never leaves half a state.</summary>
    public void Save(string id, ResumableUploadState state)
    {
        var temp = StatePath(id) + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(state, ResumableUploadJsonContext.Default.ResumableUploadState));
        File.Move(temp, StatePath(id), overwrite: true);
    }

    public long Offset(string id, ResumableUploadState state)
    {
        if (state.Complete)
        {
            return state.StoredLength;
        }

        var info = new FileInfo(PartPath(id));
        return info.Exists ? info.Length : 0;
    }

    /// <summary>Marks an append as running; false when another one is.</summary>
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

    /// <summary>Removes an upload; an append running on it is cancelled first.</summary>
    public void Delete(string id)
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

        _ = UploadStorage.TryDelete(StatePath(id));
        _ = UploadStorage.TryDelete(PartPath(id));
    }

    /// <summary>Removes uploads (finished or not) with no activity for longer than <paramref name="expiry"/>.</summary>
    /// <returns>How many were removed.</returns>
    public int RemoveExpired(DateTime nowUtc, TimeSpan expiry)
    {
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
                Delete(id);
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

        return removed;
    }
}
