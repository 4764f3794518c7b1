using System.Net;
using AspNetStreaming.Http;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;

namespace AspNetStreaming.Tests.Files;

/// <summary><c>UseStreamingStaticFiles</c> behaves as <c>UseStaticFiles</c> where that is right (what it serves, what
/// it passes on) and serves with the library's semantics (multiple ranges, validators) from physical roots and from
/// providers without physical files. The range and precondition tables also run through it (FileRangeHttpTests,
/// PreconditionHttpTests, PathSafetyTests use its <c>/static</c> mapping).</summary>
public sealed class StreamingStaticFilesTests : IAsyncLifetime, IDisposable
{
    private const string EmbeddedNamespace = "AspNetStreaming.Tests.Files.Embedded";
    private readonly TempDirectory _temp = new();
    private readonly byte[] _lines = LoadEmbedded();
    private KestrelHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _temp.CreateFile("wwwroot/site.css", 3000, seed: 1);
        _temp.CreateFile("wwwroot/data.unknownext", 100);
        _temp.CreateFile("wwwroot/endpoint.css", 100);
        _temp.CreateFile("other/page.html", 500, seed: 2);
        var embedded = new EmbeddedFileProvider(typeof(StreamingStaticFilesTests).Assembly, EmbeddedNamespace);
        _host = await KestrelHost.StartAsync(app =>
        {
            app.UseStreamingStaticFiles(new StreamingStaticFileOptions
            {
                RequestPath = "/assets",
                Root = _temp["wwwroot"],
                OnPrepareResponse = context => context.Context.Response.Headers["X-Prepared"] = context.File.Name,
            });
            app.UseStreamingStaticFiles(new StreamingStaticFileOptions { RequestPath = "/any", Root = _temp["wwwroot"], ServeUnknownFileTypes = true, DefaultContentType = "application/x-test" });
            app.UseStreamingStaticFiles(new StreamingStaticFileOptions { RequestPath = "/embedded", FileProvider = embedded });
            app.UseStreamingStaticFiles(new StreamingStaticFileOptions
            {
                RequestPath = "/composite",
                FileProvider = new CompositeFileProvider(embedded, new PhysicalFileProvider(_temp["other"])),
            });
            app.MapGet("/assets/endpoint.css", () => "from the endpoint"); // a matched endpoint answers, as with UseStaticFiles
        });
        _client = _host.CreateClient();
    }

    [Fact]
    public async Task ServesAPhysicalFileWithItsTypeValidatorsAndThePreparedHeaders()
    {
        using var response = await _client.GetAsync("assets/site.css");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/css", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(_temp["wwwroot/site.css"]), await response.Content.ReadAsByteArrayAsync());
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag!.IsWeak);
        Assert.Equal("site.css", response.Headers.GetValues("X-Prepared").Single());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "assets/site.css");
        conditional.Headers.IfNoneMatch.Add(response.Headers.ETag);
        using var notModified = await _client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task AnswersSeveralRangesWithMultipartByteranges()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "assets/site.css");
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-9,2000-2009");
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("multipart/byteranges", response.Content.Headers.ContentType!.MediaType);
    }

    /// <summary>Passed on, these reach the end of the pipeline (routing's 404, with no body of ours).</summary>
    [Theory]
    [InlineData("PUT", "assets/site.css")]
    [InlineData("POST", "assets/site.css")]
    [InlineData("DELETE", "assets/nope.css")]
    [InlineData("GET", "assets/nope.css")]
    [InlineData("GET", "assets/data.unknownext")]
    [InlineData("GET", "assets")]
    [InlineData("GET", "assets/")]
    [InlineData("GET", "site.css")]
    [InlineData("GET", "assetsX/site.css")]
    public async Task PassesOnWhatItDoesNotServe(string method, string url)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength ?? (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task AMatchedEndpointAnswersInsteadOfTheFile()
        => Assert.Equal("from the endpoint", await _client.GetStringAsync("assets/endpoint.css"));

    [Fact]
    public async Task ServesUnknownTypesOnlyWhenAsked()
    {
        using var response = await _client.GetAsync("any/data.unknownext");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-test", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task ServesAnEmbeddedFileThroughItsStreamWithRangesAndValidators()
    {
        using var whole = await _client.GetAsync("embedded/lines.txt");
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(_lines, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal(_lines.Length, whole.Content.Headers.ContentLength);
        Assert.NotNull(whole.Headers.ETag);
        Assert.NotNull(whole.Content.Headers.LastModified);

        using var range = new HttpRequestMessage(HttpMethod.Get, "embedded/lines.txt");
        range.Headers.TryAddWithoutValidation("Range", "bytes=100-199");
        using var partial = await _client.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(_lines[100..200], await partial.Content.ReadAsByteArrayAsync());

        using var ranges = new HttpRequestMessage(HttpMethod.Get, "embedded/lines.txt");
        ranges.Headers.TryAddWithoutValidation("Range", "bytes=0-9,-10");
        using var multipart = await _client.SendAsync(ranges);
        Assert.Equal(HttpStatusCode.PartialContent, multipart.StatusCode);
        var body = await multipart.Content.ReadAsStringAsync();
        Assert.Contains(System.Text.Encoding.ASCII.GetString(_lines[..10]), body, StringComparison.Ordinal);
        Assert.Contains($"Content-Range: bytes {_lines.Length - 10}-{_lines.Length - 1}/{_lines.Length}", body, StringComparison.Ordinal);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "embedded/lines.txt");
        conditional.Headers.IfNoneMatch.Add(whole.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(conditional)).StatusCode);

        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "embedded/lines.txt"));
        Assert.Equal(_lines.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ServesBothKindsOfFileOfACompositeProvider()
    {
        Assert.Equal(_lines, await _client.GetByteArrayAsync("composite/lines.txt"));
        Assert.Equal(await File.ReadAllBytesAsync(_temp["other/page.html"]), await _client.GetByteArrayAsync("composite/page.html"));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("composite/lines.txt/../../wwwroot/site.css")).StatusCode);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    public void Dispose() => _temp.Dispose();

    private static byte[] LoadEmbedded()
    {
        using var stream = typeof(StreamingStaticFilesTests).Assembly.GetManifestResourceStream(EmbeddedNamespace + ".lines.txt")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
