using System.Net;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNetStreaming.Tests.Storage;

/// <summary>What only the blob store has: a prefix that confines names, a container that may be missing, a store
/// that may be down, and its settings checked at start.</summary>
[Collection(AzuriteServers.Name)]
public sealed class BlobFileStoreTests(AzuriteServer azurite)
{
    [Fact]
    public async Task APrefixIsPrependedAndConfines()
    {
        await using var server = await StoreServer.StartAsync(StoreKind.AzureBlob, azurite, new() { ["Storage:AzureBlob:Prefix"] = "site-a/" });
        await server.Container!.GetBlobClient("outside.txt").UploadAsync(BinaryData.FromString("not served"));
        using var client = server.Host.CreateClient();

        Assert.Equal(server.Data, await client.GetByteArrayAsync("/files/data.bin"));
        using var outside = await client.GetAsync("/files/outside.txt");
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
    }

    [Fact]
    public async Task APrefixWithoutItsSlashIsStillAFolder_NotTheStartOfASiblingsName()
    {
        await using var server = await StoreServer.StartAsync(StoreKind.AzureBlob, azurite, new() { ["Storage:AzureBlob:Prefix"] = "site-a" });
        await server.Container!.GetBlobClient("site-a/mine.txt").UploadAsync(BinaryData.FromString("mine"));
        await server.Container.GetBlobClient("site-ab/secret.txt").UploadAsync(BinaryData.FromString("another app's"));
        await server.Container.GetBlobClient("site-a-staging/x.txt").UploadAsync(BinaryData.FromString("staging"));
        using var client = server.Host.CreateClient();

        Assert.Equal("mine", await client.GetStringAsync("/files/mine.txt"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/files/b/secret.txt")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/files/-staging/x.txt")).StatusCode);
    }

    [Fact]
    public async Task AStoreThatCannotBeReached_Answers503WithRetryAfter_AndTheAppStillStarts()
    {
        using var logs = new CapturedLogs();
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureBlob",
            ["Storage:AzureBlob:ConnectionString"] = azurite.UnreachableConnectionString(),
            ["Storage:AzureBlob:Container"] = "files",
        };
        await using var host = await StartAsync(settings, logs);
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/files/data.bin");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter!.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var entry = Assert.Single(logs.Entries, e => e.EventId.Id == Diagnostics.StreamingEventIds.StoreUnavailable.Id);
        Assert.DoesNotContain("AccountKey", entry.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AMissingContainer_Is503_OrCreatedWhenConfigured(bool create)
    {
        var name = $"absent-{Guid.NewGuid():N}";
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureBlob",
            ["Storage:AzureBlob:ConnectionString"] = azurite.ConnectionString,
            ["Storage:AzureBlob:Container"] = name,
            ["Storage:AzureBlob:CreateContainer"] = create ? "true" : "false",
        };
        await using var host = await StartAsync(settings);
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/files/data.bin");

        Assert.Equal(create ? HttpStatusCode.NotFound : HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var container = new Azure.Storage.Blobs.BlobContainerClient(azurite.ConnectionString, name);
        Assert.Equal(create, (await container.ExistsAsync()).Value);
        await container.DeleteIfExistsAsync();
    }

    [Theory]
    [InlineData("ConnectionString", "", "ConnectionString is required")]
    [InlineData("ConnectionString", "not a connection string", "not a storage connection string")]
    [InlineData("Container", "Bad_Name", "Container must be")]
    [InlineData("Prefix", "../up/", "Prefix must be")]
    [InlineData("MaxConcurrency", "0", "MaxConcurrency must be")]
    public async Task BadSettingsFailAtStart_NamingTheSetting_NeverTheSecret(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureBlob",
            ["Storage:AzureBlob:ConnectionString"] = azurite.ConnectionString,
            ["Storage:AzureBlob:Container"] = "files",
        };
        settings["Storage:AzureBlob:" + key] = value;

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(settings));

        Assert.Contains("Streaming:Storage:AzureBlob:" + key, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", error.Message, StringComparison.Ordinal);
    }

    private static Task<KestrelHost> StartAsync(Dictionary<string, string?> settings, CapturedLogs? logs = null)
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Storage");
        return KestrelHost.StartAsync(app => app.MapFiles("/files", new AspNetStreaming.Http.FileServingOptions { Root = Path.GetTempPath() }), builder =>
        {
            builder.Services.AddStreamingStorage(section);
            if (logs is not null)
            {
                builder.Logging.AddProvider(logs);
            }
        });
    }
}
