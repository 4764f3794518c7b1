using System.Net;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AspNetStreaming.Tests.Sample;

/// <summary>sample-web as shipped (its embedded defaults and the top-level appsettings.json), hosted in-process.</summary>
public sealed class SampleWebTests : IClassFixture<WebApplicationFactory<Program>>
{
    private readonly WebApplicationFactory<Program> _factory;

    public SampleWebTests(WebApplicationFactory<Program> factory) => _factory = factory;

    [Fact]
    public async Task Defaults_ServeTheDemoContent()
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync("/files/hello.txt");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Hello from AspNetStreaming", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/files/../appsettings.json")]
    [InlineData("/files/%2e%2e/appsettings.json")]
    [InlineData("/files/nope.txt")]
    [InlineData("/files/")]
    public async Task MissingOrEscapingPaths_Are404ProblemDetails(string url)
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheFilesRoot_ComesFromConfiguration()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir["mine.txt"], "configured root");
        using var factory = _factory.WithWebHostBuilder(b => b.UseSetting("Streaming:Files:Root", dir.Path));
        using var client = factory.CreateClient();

        Assert.Equal("configured root", await client.GetStringAsync("/files/mine.txt"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/files/hello.txt")).StatusCode);
    }

    [Fact]
    public async Task Generated_IsAChunkedBodyOfUnknownLength()
    {
        using var client = _factory.CreateClient();

        var text = await client.GetStringAsync("/generated?count=3");

        Assert.Equal("line 1\nline 2\nline 3\n", text);
    }
}
