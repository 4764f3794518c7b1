using System.Net;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static AspNetStreaming.Tests.Uploads.ResumableRequests;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>The upload URLs a server hands out are the ones its client reached: under a path base and inside a route
/// group (<c>MapGroup("/api")</c>) they carry both. They named the mapping's prefix alone, so a client resuming at its
/// <c>Location</c> got 404.</summary>
public sealed class ResumableUploadsInARouteGroupTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task TheLocationOfBothProtocolsCarriesThePathBaseAndTheGroup()
    {
        await using var host = await KestrelHost.StartAsync(app =>
        {
            app.UsePathBase("/app");
            app.UseRouting();
            var api = app.MapGroup("/api");
            api.MapResumableUploads("/ups");
            api.MapTusUploads("/tus");
        }, builder => builder.Services.AddStreamingUploads(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Root"] = _temp.Path }).Build()));
        using var client = host.CreateClient();

        using var create = new HttpRequestMessage(HttpMethod.Post, "app/api/ups/grouped.bin") { Content = new ByteArrayContent([1, 2, 3]) };
        create.Headers.Add("Upload-Complete", "?0");
        using var created = await client.SendAsync(create);
        var location = created.Headers.Location!.OriginalString;
        Assert.StartsWith("/app/api/ups/", location, StringComparison.Ordinal);
        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location)))
        {
            Assert.Equal("3", Header(head, "Upload-Offset"));
        }

        using var tus = Tus(HttpMethod.Post, "app/api/tus").WithLength(10);
        using var tusCreated = await client.SendAsync(tus);
        var tusLocation = tusCreated.Headers.Location!.OriginalString;
        Assert.StartsWith("/app/api/tus/", tusLocation, StringComparison.Ordinal);
        using var tusHead = await client.SendAsync(Tus(HttpMethod.Head, tusLocation));
        Assert.Equal(HttpStatusCode.OK, tusHead.StatusCode);
    }
}
