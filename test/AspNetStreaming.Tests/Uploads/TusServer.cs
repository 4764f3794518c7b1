using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Storage;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>tus uploads (<c>MapTusUploads("/tus")</c>) on one of the stores, as the tus tests see it: a client, and
/// what is published under a name (a file in the upload root, or a blob of the container).</summary>
internal sealed class TusServer : IAsyncDisposable
{
    private readonly TempDirectory? _temp;
    private readonly UploadServer? _local;
    private readonly BlobUploadServer? _blob;

    private TusServer(TempDirectory temp, UploadServer local)
    {
        _temp = temp;
        _local = local;
        Client = local.Client;
        BaseAddress = local.Host.BaseAddress;
    }

    private TusServer(BlobUploadServer blob)
    {
        _blob = blob;
        Client = blob.Client;
        BaseAddress = blob.Host.BaseAddress;
    }

    public HttpClient Client { get; }

    public Uri BaseAddress { get; }

    public AspNetStreaming.Uploads.ResumableUploadStore Store => _local is not null
        ? (AspNetStreaming.Uploads.ResumableUploadStore)_local.Host.Services.GetService(typeof(AspNetStreaming.Uploads.ResumableUploadStore))!
        : _blob!.Resumable;

    public static async Task<TusServer> StartAsync(StoreKind kind, AzuriteServer azurite, Dictionary<string, string?>? settings = null,
        TestProtocol protocol = TestProtocol.Http11)
    {
        if (kind == StoreKind.AzureBlob)
        {
            return new TusServer(await BlobUploadServer.StartAsync(azurite, overwrite: settings?.GetValueOrDefault("Overwrite") ?? "Replace", protocol: protocol));
        }

        var temp = new TempDirectory();
        return new TusServer(temp, await UploadServer.StartAsync(temp.Path, settings, protocol: protocol));
    }

    /// <summary>The bytes published under <paramref name="name"/>, or <see langword="null"/>.</summary>
    public async Task<byte[]?> PublishedAsync(string name)
    {
        if (_local is not null)
        {
            var path = Path.Join(_temp!.Path, name);
            return File.Exists(path) ? await File.ReadAllBytesAsync(path) : null;
        }

        var blob = _blob!.Container.GetBlobClient(name);
        return (await blob.ExistsAsync()).Value ? (await blob.DownloadContentAsync()).Value.Content.ToArray() : null;
    }

    /// <summary>The names published (files of the root, or blobs outside the resumable uploads' own prefix).</summary>
    public async Task<List<string>> PublishedNamesAsync()
        => _local is not null
            ? [.. _local.Files()]
            : [.. (await _blob!.BlobNamesAsync()).Where(name => !name.StartsWith(".resumable/", StringComparison.Ordinal)).Order()];

    public async ValueTask DisposeAsync()
    {
        if (_local is not null)
        {
            await _local.DisposeAsync();
        }

        if (_blob is not null)
        {
            await _blob.DisposeAsync();
        }

        _temp?.Dispose();
    }
}
