using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>The files and fields of a <c>multipart/form-data</c> body, received into temporary files and not yet
/// visible. <see cref="Publish"/> renames all of them into place, or none; disposing removes whatever was not
/// published.</summary>
public sealed class MultipartUpload : IAsyncDisposable
{
    private readonly UploadIngestor _ingestor;
    private readonly UploadOptions _options;
    private readonly List<PendingFile> _files = [];
    private readonly Dictionary<string, string> _fields = new(StringComparer.Ordinal);
    private bool _published;
    private Storage.FileStore? _store;

    internal MultipartUpload(UploadIngestor ingestor, UploadOptions options)
    {
        _ingestor = ingestor;
        _options = options;
    }

    /// <summary>The form fields (name → value), bounded by <see cref="MultipartUploadOptions"/>.</summary>
    public IReadOnlyDictionary<string, string> Fields => _fields;

    /// <summary>The names of the received files, in body order.</summary>
    public IReadOnlyList<string> FileNames => [.. _files.Select(f => f.Name)];

    /// <summary>Publishes every file under its name (in the upload root). If any publish fails, the files
    /// already published by this call and that were new are removed again, so none stays (a file that replaced
    /// an existing one cannot be un-replaced; with <see cref="UploadOverwritePolicy.Reject"/> no file replaces).</summary>
    /// <param name="headers">Unused for per-file preconditions (they apply to the POST target); reserved.</param>
    /// <exception cref="UploadException">A target appeared meanwhile (409) or the rename failed.</exception>
    public IReadOnlyList<StoredUpload> Publish(IHeaderDictionary? headers = null)
    {
        ObjectDisposedException.ThrowIf(_published, this);
        if (_store is not null)
        {
            throw new InvalidOperationException("The files were staged in the configured store; publish them with PublishAsync.");
        }

        var stored = new List<StoredUpload>(_files.Count);
        var empty = new HeaderDictionary();
        try
        {
            foreach (var file in _files)
            {
                var replaced = UploadStorage.Publish(file.TempPath!, file.Target, empty, _options.Overwrite, _options.Durable, out var etag);
                file.Published = true;
                stored.Add(new StoredUpload(file.Name, file.Target, file.Length, file.Sha256, replaced, etag) { FieldName = file.Field, Sha512 = file.Sha512 });
                UploadLog.Stored(_ingestor.Logger, file.Name, file.Length, replaced);
            }
        }
        catch (Exception error)
        {
            foreach (var done in stored.Where(s => !s.Replaced))
            {
                _ = UploadStorage.TryDelete(done.FullPath);
            }

            _ingestor.Metrics.PublishFailed();
            throw error as UploadException ?? new UploadException(UploadErrorKind.Internal, "The upload could not be published.", error);
        }

        _published = true;
        _ingestor.Metrics.Published(stored.Count);
        return stored;
    }

    /// <summary>Publishes every file, as <see cref="Publish"/> does, wherever the files were received: under the upload
    /// root, or, with a configured store (<c>Streaming:Storage</c>), by committing each staged blob. If a commit fails,
    /// the blobs this call created are deleted again (while still the version it created), so none stays.</summary>
    /// <param name="headers">Unused for per-file preconditions (they apply to the POST target); reserved.</param>
    /// <param name="cancellationToken">Stops publishing; what was committed is removed again.</param>
    /// <exception cref="UploadException">A file of that name exists and the policy rejects replacing it (409), or the
    /// store failed (503).</exception>
    public async Task<IReadOnlyList<StoredUpload>> PublishAsync(IHeaderDictionary? headers = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_published, this);
        if (_store is not { } store)
        {
            return Publish(headers);
        }

        var stored = new List<StoredUpload>(_files.Count);
        try
        {
            foreach (var file in _files)
            {
                var commit = new Storage.StoreWriteOptions { CreateOnly = _options.Overwrite == UploadOverwritePolicy.Reject };
                var written = await file.Staged!.CommitAsync(commit, cancellationToken).ConfigureAwait(false);
                file.Published = true;
                stored.Add(new StoredUpload(file.Name, written.Location ?? file.Name, written.Length, file.Sha256, written.Replaced, written.ETag) { FieldName = file.Field, Sha512 = file.Sha512 });
                UploadLog.Stored(_ingestor.Logger, file.Name, written.Length, written.Replaced);
            }
        }
        catch (Exception error)
        {
            foreach (var done in stored.Where(s => !s.Replaced && s.ETag is not null))
            {
                try
                {
                    await store.DeleteIfUnchangedAsync(done.Name, done.ETag!, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception cleanup)
                {
                    UploadLog.CleanupFailed(_ingestor.Logger, cleanup, done.Name);
                }
            }

            _ingestor.Metrics.PublishFailed();
            throw error switch
            {
                UploadException upload => upload,
                Storage.StoreException refused => UploadErrors.FromStore(refused, _options.Multipart.MaxFileSize),
                _ => new UploadException(UploadErrorKind.Internal, "The upload could not be published.", error),
            };
        }

        _published = true;
        _ingestor.Metrics.Published(stored.Count);
        return stored;
    }

    /// <summary>Removes every temporary file that was not published (staged blobs need nothing: uncommitted, they are
    /// never visible).</summary>
    public ValueTask DisposeAsync()
    {
        foreach (var file in _files.Where(f => !f.Published && f.TempPath is not null))
        {
            _ingestor.DeleteTemp(file.TempPath!);
        }

        _files.Clear();
        return ValueTask.CompletedTask;
    }

    internal PendingFile Add(string field, string name, string? tempPath, string target)
    {
        if (_files.Any(f => string.Equals(f.Name, name, StringComparison.Ordinal)))
        {
            throw UploadException.BadRequest($"The file name '{name}' appears twice in the form.");
        }

        var file = new PendingFile(field, name, tempPath, target);
        _files.Add(file);
        return file;
    }

    /// <summary>The store the files are staged in, when one is configured.</summary>
    internal void StagedIn(Storage.FileStore store) => _store = store;

    internal void AddField(string name, string value)
    {
        if (!_fields.TryAdd(name, value))
        {
            throw UploadException.BadRequest($"The form field '{name}' appears twice.");
        }
    }

    internal sealed class PendingFile(string field, string name, string? tempPath, string target)
    {
        public string Field { get; } = field;

        public string Name { get; } = name;

        /// <summary>The temporary file on the local disk; <see langword="null"/> when staged in a store.</summary>
        public string? TempPath { get; } = tempPath;

        /// <summary>The body staged in the configured store, committed by <see cref="PublishAsync"/>.</summary>
        public Storage.StagedWrite? Staged { get; set; }

        public string Target { get; } = target;

        public long Length { get; set; }

        public byte[]? Sha256 { get; set; }

        public byte[]? Sha512 { get; set; }

        public bool Published { get; set; }
    }
}
