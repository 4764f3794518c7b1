using AspNetStreaming.Tests.Infrastructure;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Tests.Storage;

/// <summary><c>MapUpload("/uploads")</c>, <c>MapMultipartUpload("/forms")</c>, <c>MapResumableUploads("/r")</c> and
/// <c>MapFiles("/files")</c> on one blob container; a second server on the same container is a second instance.</summary>
internal sealed class BlobUploadServer : IAsyncDisposable
{
    /// <summary>Small blocks, so a few MiB are many blocks with several in flight.</summary>
    public const int BlockSize = 256 * 1024;

    /// <summary>The blocks one upload may have staging at once.</summary>
    public const int MaxConcurrency = 3;

    private readonly bool _ownsContainer;

    private readonly TempDirectory _temp;

    private BlobUploadServer(TempDirectory temp, KestrelHost host, BlobContainerClient container, CapturedLogs logs, bool ownsContainer)
    {
        _ownsContainer = ownsContainer;
        _temp = temp;
        Host = host;
        Container = container;
        Logs = logs;
        Client = host.CreateClient();
    }

    public KestrelHost Host { get; }

    public BlobContainerClient Container { get; }

    public CapturedLogs Logs { get; }

    public HttpClient Client { get; }

    /// <summary>The resumable uploads' store of this instance (for its expiry sweep).</summary>
    public AspNetStreaming.Uploads.ResumableUploadStore Resumable => Host.Services.GetRequiredService<AspNetStreaming.Uploads.ResumableUploadStore>();

    /// <summary>The names of the container's blobs, the resumable uploads' own included.</summary>
    public async Task<List<string>> BlobNamesAsync()
    {
        var names = new List<string>();
        await foreach (var item in Container.GetBlobsAsync())
        {
            names.Add(item.Name);
        }

        return names;
    }

    /// <summary>The local upload root, which must stay empty: the bytes go to the container.</summary>
    public string LocalRoot => _temp["uploads"];

    public static async Task<BlobUploadServer> StartAsync(AzuriteServer azurite, long maxSize = 1L << 30, string overwrite = "Replace", string? connectionString = null,
        long maxFileSize = 1L << 30, TestProtocol protocol = TestProtocol.Http11, BlobContainerClient? sharedContainer = null,
        IReadOnlyDictionary<string, string?>? extraSettings = null, int? maxBlocks = null)
    {
        var temp = new TempDirectory();
        Directory.CreateDirectory(temp["uploads"]);
        var container = sharedContainer ?? await azurite.CreateContainerAsync();
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureBlob",
            ["Storage:AzureBlob:ConnectionString"] = connectionString ?? azurite.ConnectionString,
            ["Storage:AzureBlob:Container"] = container.Name,
            ["Storage:AzureBlob:BlockSize"] = BlockSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Storage:AzureBlob:MaxConcurrency"] = MaxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Uploads:Root"] = temp["uploads"],
            ["Uploads:MaxSize"] = maxSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Uploads:Overwrite"] = overwrite,
            ["Uploads:Multipart:MaxFileSize"] = maxFileSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).AddInMemoryCollection(extraSettings ?? new Dictionary<string, string?>()).Build();
        var logs = new CapturedLogs();
        var host = await KestrelHost.StartAsync(app =>
        {
            app.MapUpload("/uploads");
            app.MapMultipartUpload("/forms");
            app.MapResumableUploads("/r");
            app.MapTusUploads("/tus");
            app.MapFiles("/files", new AspNetStreaming.Http.FileServingOptions { Root = temp.Path });
        }, builder =>
        {
            builder.Services.AddStreamingStorage(settings.GetSection("Storage"));
            if (maxBlocks is { } blocks)
            {
                builder.Services.PostConfigure<AspNetStreaming.Storage.StorageOptions>(options => options.AzureBlob.MaxBlocks = blocks);
            }

            builder.Services.AddStreamingUploads(settings.GetSection("Uploads"));
            builder.Logging.AddProvider(logs);
        }, protocol);
        return new BlobUploadServer(temp, host, container, logs, ownsContainer: sharedContainer is null);
    }

    /// <summary><paramref name="count"/> random bytes, a new draw each call.</summary>
    public static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    public Task<HttpResponseMessage> PutAsync(string name, byte[] content, byte[]? sha256 = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "/uploads/" + name) { Content = new ByteArrayContent(content) };
        if (sha256 is not null)
        {
            request.Headers.TryAddWithoutValidation("Repr-Digest", $"sha-256=:{Convert.ToBase64String(sha256)}:");
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        if (_ownsContainer)
        {
            await Container.DeleteIfExistsAsync();
        }

        _temp.Dispose();
    }
}
