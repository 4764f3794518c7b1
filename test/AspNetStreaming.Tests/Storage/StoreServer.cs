using AspNetStreaming.Http;
using AspNetStreaming.Tests.Infrastructure;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AspNetStreaming.Tests.Storage;

/// <summary>The stores a file mapping can serve from.</summary>
public enum StoreKind
{
    Local,
    AzureBlob,
}

/// <summary>
/// A Kestrel server whose <c>MapFiles("/files")</c> serves the same content from one store: a local temp folder,
/// or a fresh container of the shared Azurite (configured through <c>Streaming:Storage</c>, as an app does).
/// </summary>
internal sealed class StoreServer : IAsyncDisposable
{
    public const int DataLength = 10_000;

    private readonly TempDirectory _temp;

    private StoreServer(TempDirectory temp, KestrelHost host, byte[] data, BlobContainerClient? container)
    {
        _temp = temp;
        Host = host;
        Data = data;
        Container = container;
    }

    public KestrelHost Host { get; }

    /// <summary>The bytes of <c>data.bin</c>.</summary>
    public byte[] Data { get; }

    /// <summary>The container, for the blob store.</summary>
    public BlobContainerClient? Container { get; }

    /// <summary>The files every store holds: <c>data.bin</c>, <c>docs/readme.txt</c>, <c>.hidden</c>.</summary>
    public static async Task<StoreServer> StartAsync(StoreKind kind, AzuriteServer azurite, Dictionary<string, string?>? storage = null,
        TestProtocol protocol = TestProtocol.Http11)
    {
        var temp = new TempDirectory();
        var data = new byte[DataLength];
        new Random(7).NextBytes(data);
        Directory.CreateDirectory(temp["root"]); // empty for the blob store: what it serves can only come from the container
        var files = new Dictionary<string, byte[]>
        {
            ["data.bin"] = data,
            ["docs/readme.txt"] = "read me\n"u8.ToArray(),
            [".hidden"] = "secret"u8.ToArray(),
        };
        BlobContainerClient? container = null;
        var settings = storage ?? [];
        if (kind == StoreKind.AzureBlob)
        {
            container = await azurite.CreateContainerAsync();
            var prefix = settings.GetValueOrDefault("Storage:AzureBlob:Prefix") ?? "";
            foreach (var (name, bytes) in files)
            {
                await container.GetBlobClient(prefix + name).UploadAsync(BinaryData.FromBytes(bytes));
            }

            settings.TryAdd("Storage:Provider", "AzureBlob");
            settings.TryAdd("Storage:AzureBlob:ConnectionString", azurite.ConnectionString);
            settings.TryAdd("Storage:AzureBlob:Container", container.Name);
        }
        else
        {
            foreach (var (name, bytes) in files)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(temp["root/" + name])!);
                await File.WriteAllBytesAsync(temp["root/" + name], bytes);
            }
        }

        var section = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var host = await KestrelHost.StartAsync(
            app => app.MapFiles("/files", new FileServingOptions { Root = temp["root"] }),
            builder => builder.Services.AddStreamingStorage(section.GetSection("Storage")), protocol);
        return new StoreServer(temp, host, data, container);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        if (Container is not null)
        {
            await Container.DeleteIfExistsAsync();
        }

        _temp.Dispose();
    }
}
