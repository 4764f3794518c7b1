using System.Net;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AspNetStreaming.Tests.Sample;

/// <summary>sample-web with <c>Streaming:Storage:Provider=AzureBlob</c>: its <c>/files</c> serve the container's blobs,
/// with no other change to the app.</summary>
[Collection(AzuriteServers.Name)]
public sealed class SampleWebBlobStoreTests(AzuriteServer azurite)
{
    [Fact]
    public async Task FilesComeFromTheContainer_WithRanges()
    {
        var container = await azurite.CreateContainerAsync();
        var content = new byte[300_000];
        new Random(5).NextBytes(content);
        await container.GetBlobClient("clips/a.bin").UploadAsync(BinaryData.FromBytes(content));
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Streaming:Storage:Provider", "AzureBlob")
            .UseSetting("Streaming:Storage:AzureBlob:ConnectionString", azurite.ConnectionString)
            .UseSetting("Streaming:Storage:AzureBlob:Container", container.Name));
        using var client = factory.CreateClient();

        Assert.Equal(content, await client.GetByteArrayAsync("/files/clips/a.bin"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/files/clips/a.bin");
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, 1099);
        using var range = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal(content.AsSpan(1000, 100).ToArray(), await range.Content.ReadAsByteArrayAsync());
        using var missing = await client.GetAsync("/files/clips/none.bin");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        await container.DeleteAsync();
    }
}
