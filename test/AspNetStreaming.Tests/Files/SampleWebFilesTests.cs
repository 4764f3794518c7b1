using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AspNetStreaming.Tests.Files;

/// <summary>sample-web's <c>/files</c> mapping (over <c>Streaming:Files:Root</c>) with the range semantics.</summary>
public sealed class SampleWebFilesTests : IClassFixture<WebApplicationFactory<Program>>
{
    private readonly WebApplicationFactory<Program> _factory;

    public SampleWebFilesTests(WebApplicationFactory<Program> factory) => _factory = factory;

    [Fact]
    public async Task ServesDemoContentWithRanges()
    {
        using var client = _factory.CreateClient();
        var whole = await client.GetByteArrayAsync("/files/hello.txt");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/files/hello.txt");
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-2,-2");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("multipart/byteranges", response.Content.Headers.ContentType!.MediaType);

        using var single = new HttpRequestMessage(HttpMethod.Get, "/files/hello.txt");
        single.Headers.TryAddWithoutValidation("Range", "bytes=1-3");
        var partial = await client.SendAsync(single);
        Assert.Equal(whole[1..4], await partial.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task UnsatisfiableRangeHasNoBodyEvenWithStatusCodePages()
    {
        using var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/files/hello.txt");
        request.Headers.TryAddWithoutValidation("Range", "bytes=100000-");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task DemoEndpointsServeRanges()
    {
        using var client = _factory.CreateClient();
        foreach (var url in new[] { "/ranges/bytes", "/ranges/stream" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Range", "bytes=27-36");
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal("abcdefghij", await response.Content.ReadAsStringAsync());
        }

        var download = await client.GetAsync("/ranges/download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("grüße.txt", download.Content.Headers.ContentDisposition!.FileNameStar);
    }

    [Fact]
    public async Task RefusesTraversalAndOtherMethods()
    {
        using var client = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/files/..%2fappsettings.json")).StatusCode);
        var post = await client.PostAsync("/files/hello.txt", new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }
}
