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
        var stored = new List<StoredUpload>(_files.Count);
        var empty = new HeaderDictionary();
        try
        {
            foreach (var file in _files)
            {
                var replaced = UploadStorage.Publish(file.TempPath, file.Target, empty, _options.Overwrite, _options.Durable);
                file.Published = true;
                stored.Add(new StoredUpload(file.Name, file.Target, file.Length, file.Sha256, replaced, UploadStorage.ETagOf(file.Target)) { FieldName = file.Field });
                UploadLog.Stored(_ingestor.Logger, file.Name, file.Length, replaced);
            }
        }
        catch (Exception error)
        {
            foreach (var done in stored.Where(s => !s.Replaced))
            {
                _ = UploadStorage.TryDelete(done.FullPath);
            }

            throw error as UploadException ?? new UploadException(UploadErrorKind.Internal, "The upload could not be published.", error);
        }

        _published = true;
        return stored;
    }

    /// <summary>Removes every temporary file that was not published.</summary>
    public ValueTask DisposeAsync()
    {
        foreach (var file in _files.Where(f => !f.Published))
        {
            _ingestor.DeleteTemp(file.TempPath);
        }

        _files.Clear();
        return ValueTask.CompletedTask;
    }

    internal PendingFile Add(string field, string name, string tempPath, string target)
    {
        if (_files.Any(f => string.Equals(f.Name, name, StringComparison.Ordinal)))
        {
            throw UploadException.BadRequest($"The file name '{name}' appears twice in the form.");
        }

        var file = new PendingFile(field, name, tempPath, target);
        _files.Add(file);
        return file;
    }

    internal void AddField(string name, string value)
    {
        if (!_fields.TryAdd(name, value))
        {
            throw UploadException.BadRequest($"The form field '{name}' appears twice.");
        }
    }

    internal sealed class PendingFile(string field, string name, string tempPath, string target)
    {
        public string Field { get; } = field;

        public string Name { get; } = name;

        public string TempPath { get; } = tempPath;

        public string Target { get; } = target;

        public long Length { get; set; }

        public byte[]? Sha256 { get; set; }

        public bool Published { get; set; }
    }
}
