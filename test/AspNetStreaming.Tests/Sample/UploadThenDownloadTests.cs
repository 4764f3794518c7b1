using System.Net;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AspNetStreaming.Tests.Sample;

/// <summary>Uploads and downloads over one folder in sample-web: the validators of the two areas agree.</summary>
public sealed class UploadThenDownloadTests : IClassFixture<WebApplicationFactory<Program>>
{
    private readonly WebApplicationFactory<Program> _factory;

    public UploadThenDownloadTests(WebApplicationFactory<Program> factory) => _factory = factory;

    [Fact]
    public async Task TheETagOfADownload_IsWhatAnUploadsIfMatchChecks()
    {
        using var dir = new TempDirectory();
        using var factory = _factory.WithWebHostBuilder(b => b
            .UseSetting("Streaming:Files:Root", dir.Path)
            .UseSetting("Streaming:Uploads:Root", dir.Path));
        using var client = factory.CreateClient();

        using var created = await client.PutAsync("/uploads/notes.txt", new StringContent("first version"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var download = await client.GetAsync("/files/notes.txt");
        Assert.Equal("first version", await download.Content.ReadAsStringAsync());
        var etag = download.Headers.ETag!;
        Assert.False(etag.IsWeak);
        Assert.Equal(created.Headers.ETag, etag);

        // Replace only if nobody changed it since the download.
        using var replace = new HttpRequestMessage(HttpMethod.Put, "/uploads/notes.txt") { Content = new StringContent("second version") };
        replace.Headers.IfMatch.Add(etag);
        using var replaced = await client.SendAsync(replace);
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);

        // The tag from before the replacement no longer matches: 412, and the file is untouched.
        using var stale = new HttpRequestMessage(HttpMethod.Put, "/uploads/notes.txt") { Content = new StringContent("lost update") };
        stale.Headers.IfMatch.Add(etag);
        using var refused = await client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("second version", await client.GetStringAsync("/files/notes.txt"));

        // Nothing but the published file is visible in the folder the downloads serve.
        Assert.Equal(["notes.txt"], Directory.GetFiles(dir.Path).Select(p => Path.GetFileName(p)).ToArray());
    }
}
