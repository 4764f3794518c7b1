using System.Net;
using System.Net.Http.Headers;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Tests.Http;

/// <summary><c>UseStreamingSendFile()</c> in front of the stock <c>UseStaticFiles</c>: the same requests with and
/// without it give the same status, headers and bytes (the middleware changes how the file is sent, nothing else),
/// and its sends go through the library's pump.</summary>
public sealed class StreamingSendFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string?, string?> Requests => new()
    {
        { "GET", null, null },
        { "GET", "bytes=1000-2999", null },
        { "GET", "bytes=-100", null },
        { "HEAD", null, null },
        { "GET", null, "etag" }, // If-None-Match with the file's ETag: 304
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task WithAndWithoutIt_TheAnswersAreIdentical(string method, string? range, string? conditional)
    {
        var data = _temp.CreateFile("static/video.bin", 3_000_000, seed: 40);
        await using var stock = await StartAsync(accelerated: false);
        await using var ours = await StartAsync(accelerated: true);

        var (stockStatus, stockHeaders, stockBody) = await SendAsync(stock, method, range, conditional);
        var (ourStatus, ourHeaders, ourBody) = await SendAsync(ours, method, range, conditional);

        Assert.Equal(stockStatus, ourStatus);
        Assert.Equal(stockHeaders, ourHeaders);
        Assert.Equal(stockBody, ourBody);
        // A body was sent by the pump under the middleware, and never without it.
        Assert.Equal(method == "GET", ours.Logs.Contains(2008)); // the conditional case fetched the ETag with a GET first
        Assert.False(stock.Logs.Contains(2008));
        if (method == "GET" && conditional is null && range is null)
        {
            Assert.Equal(await File.ReadAllBytesAsync(data), ourBody);
        }
    }

    [Fact]
    public async Task AClientThatGoesAwayMidBody_ClosesTheFile()
    {
        var data = _temp.CreateFile("static/large.bin", 64L << 20, seed: 41);
        await using var ours = await StartAsync(accelerated: true);
        using (var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, ours.BaseAddress.Port);
            await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes("GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
            var buffer = new byte[1024];
            Assert.True(await socket.ReceiveAsync(buffer) > 0);
            Assert.True(OpenHandles(data) > 0, "the file is not open while it is sent");
            socket.LingerState = new System.Net.Sockets.LingerOption(true, 0); // RST
        }

        await Eventually.AssertAsync(() => OpenHandles(data) == 0, "the file stayed open after the client went away");
        Assert.True(ours.Logs.Contains(2008));
    }

    // Inside the compressor the pump's flush per chunk was a gzip sync flush each: the same text in 5% more bytes.
    [Fact]
    public async Task BehindResponseCompression_TheGzipBodyIsByteForByteTheStockOne()
    {
        var text = string.Concat(Enumerable.Range(0, 120_000).Select(i => $"line {i} of a log that compresses\n"));
        Directory.CreateDirectory(_temp["static"]);
        await File.WriteAllTextAsync(_temp["static/log.txt"], text);
        Func<bool, Task<KestrelHost>> start = accelerated => KestrelHost.StartAsync(app =>
        {
            app.UseResponseCompression();
            if (accelerated)
            {
                app.UseStreamingSendFile();
            }

            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(_temp["static"]) });
        }, builder => builder.Services.AddResponseCompression());
        await using var stock = await start(false);
        await using var ours = await start(true);

        var stockBody = await GzipAsync(stock);
        var ourBody = await GzipAsync(ours);

        Assert.Equal(stockBody.Length, ourBody.Length);
        Assert.Equal(stockBody, ourBody);
    }

    // The compressor decides per response: what it leaves alone (video, images) to a browser is still the pump's.
    [Fact]
    public async Task BehindResponseCompression_AResponseItDoesNotEncode_IsStillSentByThePump()
    {
        Directory.CreateDirectory(_temp["static"]);
        await File.WriteAllBytesAsync(_temp["static/video.mp4"], new byte[1 << 20]);
        await using var host = await KestrelHost.StartAsync(app =>
        {
            app.UseResponseCompression();
            app.UseStreamingSendFile();
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(_temp["static"]) });
        }, builder =>
        {
            builder.Services.AddResponseCompression();
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
        });
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/video.mp4");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, deflate, br");

        using var response = await client.SendAsync(request);

        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal(1 << 20, (await response.Content.ReadAsByteArrayAsync()).Length);
        Assert.True(host.Logs.Contains(2008), "the video was not sent by the pump");
    }

    private static async Task<byte[]> GzipAsync(KestrelHost host)
    {
        using var client = host.CreateClient(); // no automatic decompression: the bytes on the wire
        using var request = new HttpRequestMessage(HttpMethod.Get, "/log.txt");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        using var response = await client.SendAsync(request);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        return await response.Content.ReadAsByteArrayAsync();
    }

    // This process's descriptors open on the file (the server runs in the test's process).
    private static int OpenHandles(string path) => new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
        .Count(fd => { try { return fd.LinkTarget == path; } catch (IOException) { return false; } });

    private static async Task<(HttpStatusCode Status, string Headers, byte[] Body)> SendAsync(KestrelHost host, string method, string? range, string? conditional)
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), "/video.bin");
        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }

        if (conditional is not null)
        {
            using var first = await client.GetAsync("/video.bin", HttpCompletionOption.ResponseHeadersRead);
            request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        }

        using var response = await client.SendAsync(request);
        var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers)
            .Where(header => header.Key is not "Date")
            .OrderBy(header => header.Key, StringComparer.Ordinal)
            .Select(header => $"{header.Key}: {string.Join(", ", header.Value)}"));
        return (response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync());
    }

    private Task<KestrelHost> StartAsync(bool accelerated) => KestrelHost.StartAsync(app =>
    {
        if (accelerated)
        {
            app.UseStreamingSendFile();
        }

        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(_temp["static"]), ServeUnknownFileTypes = true });
    }, builder => builder.Logging.SetMinimumLevel(LogLevel.Debug));
}
