using System.IO.Compression;
using System.Net;
using AspNetStreaming.Http;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace AspNetStreaming.Tests.Files;

/// <summary><c>UseStreamingStaticFiles</c> where users of <c>UseStaticFiles</c> rely on its behaviour:
/// <c>OnPrepareResponse</c> runs with the status decided and may refuse (the documented authorization pattern), keep a
/// Content-Type of its own, and sees a 206 as one; a provider whose stream cannot seek still has its file's length.</summary>
public sealed class StaticFilesLikeStockTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public StaticFilesLikeStockTests() => _temp.CreateFile("wwwroot/site.css", 3000, seed: 3);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AStatusSetInOnPrepareResponseStands_AndNothingOfTheFileIsSent()
    {
        await using var host = await StartAsync(context =>
        {
            // The pattern of the ASP.NET docs for authorizing static files.
            context.Context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Context.Response.ContentLength = 0;
        });
        using var client = host.CreateClient();

        using var response = await client.GetAsync("s/site.css");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.False(host.Logs.Entries.Any(entry => entry.Level >= Microsoft.Extensions.Logging.LogLevel.Error), "an error was logged");
    }

    [Fact]
    public async Task OnPrepareResponseSeesTheStatus_AndAContentTypeItSetsIsKept()
    {
        await using var host = await StartAsync(context =>
        {
            context.Context.Response.Headers["X-Seen"] = context.Context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Context.Response.ContentType = "text/css; charset=utf-8";
        });
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "s/site.css");
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-9");

        using var whole = await client.GetAsync("s/site.css");
        using var partial = await client.SendAsync(request);

        Assert.Equal("200", whole.Headers.GetValues("X-Seen").Single());
        Assert.Equal("text/css; charset=utf-8", whole.Content.Headers.ContentType!.ToString());
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("206", partial.Headers.GetValues("X-Seen").Single());
        Assert.Equal(10, (await partial.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task AProviderStreamThatCannotSeek_KeepsTheFilesLengthTagAndRanges()
    {
        var data = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 500).Select(i => $"{i:D9}\n")));
        await using var host = await KestrelHost.StartAsync(app => app.UseStreamingStaticFiles(new StreamingStaticFileOptions
        {
            RequestPath = "/z",
            FileProvider = new GzipProvider(data),
        }));
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "z/log.txt");
        request.Headers.TryAddWithoutValidation("Range", "bytes=100-109,4000-4009");

        using var whole = await client.GetAsync("z/log.txt");
        using var ranges = await client.SendAsync(request);

        Assert.True(whole.StatusCode == HttpStatusCode.OK, $"{whole.StatusCode} {whole.Headers} {whole.Content.Headers} {await whole.Content.ReadAsStringAsync()}");
        Assert.Equal(data.Length, whole.Content.Headers.ContentLength);
        Assert.NotNull(whole.Headers.ETag);
        Assert.Equal(data, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.PartialContent, ranges.StatusCode);
        var body = System.Text.Encoding.ASCII.GetString(await ranges.Content.ReadAsByteArrayAsync());
        Assert.Contains(System.Text.Encoding.ASCII.GetString(data, 100, 10), body, StringComparison.Ordinal);
        Assert.Contains(System.Text.Encoding.ASCII.GetString(data, 4000, 10), body, StringComparison.Ordinal);
    }

    private Task<KestrelHost> StartAsync(Action<Microsoft.AspNetCore.StaticFiles.StaticFileResponseContext> prepare)
        => KestrelHost.StartAsync(app => app.UseStreamingStaticFiles(new StreamingStaticFileOptions
        {
            RequestPath = "/s",
            Root = _temp["wwwroot"],
            OnPrepareResponse = prepare,
        }));

    // A provider that stores its files compressed and hands out decompressing streams (they cannot seek).
    private sealed class GzipProvider(byte[] data) : IFileProvider
    {
        public IFileInfo GetFileInfo(string subpath) => subpath.TrimStart('/') == "log.txt" ? new Entry(data) : new NotFoundFileInfo(subpath);

        public IDirectoryContents GetDirectoryContents(string subpath) => NotFoundDirectoryContents.Singleton;

        public IChangeToken Watch(string filter) => NullChangeToken.Singleton;

        private sealed class Entry(byte[] data) : IFileInfo
        {
            public bool Exists => true;

            public long Length => data.Length;

            public string? PhysicalPath => null;

            public string Name => "log.txt";

            public DateTimeOffset LastModified => new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

            public bool IsDirectory => false;

            public Stream CreateReadStream()
            {
                var packed = new MemoryStream();
                using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write(data);
                }

                packed.Position = 0;
                return new GZipStream(packed, CompressionMode.Decompress);
            }
        }
    }
}
