using System.Net;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>The 405 of a protocol's collection URL takes only what nothing else answers there: an app's own endpoint
/// on that URL keeps its method, and any other method (WebDAV's included) gets the protocol's Allow.</summary>
public sealed class ProtocolCollectionMethodsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AnAppsOwnGetOnTheCollection_IsAnswered_NotAmbiguous()
    {
        await using var host = await StartAsync(app =>
        {
            app.MapGet("/uploads/tus", () => "how to upload here");
            app.MapTusUploads("/uploads/tus");
        });
        using var client = host.CreateClient();

        Assert.Equal("how to upload here", await client.GetStringAsync("uploads/tus"));
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("PROPFIND")]
    [InlineData("TRACE")]
    public async Task AnyOtherMethod_Is405WithTheProtocolsAllow(string method)
    {
        await using var host = await StartAsync(app =>
        {
            app.MapUpload("/uploads");
            app.MapTusUploads("/uploads/tus");
        });
        using var client = host.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "uploads/tus"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("OPTIONS, POST", string.Join(", ", response.Content.Headers.Allow));
        Assert.Empty(Directory.GetFiles(_temp.Path));
    }

    private Task<KestrelHost> StartAsync(Action<WebApplication> map) => KestrelHost.StartAsync(map, builder =>
        builder.Services.AddStreamingUploads(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Root"] = _temp.Path }).Build()));
}
