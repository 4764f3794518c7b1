using Microsoft.AspNetCore.Builder;
using System.Net;
using AspNetStreaming.Http;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Files;

/// <summary>The file is opened once and closed on every path, and a file that shrinks mid-response never yields
/// a body that disagrees with its Content-Length.</summary>
public sealed class FileLifetimeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    /// <summary>Without the open-file cache, every response closes its file; with it, the responses share the one
    /// handle the cache holds (never more once they are done), which closes when the app stops.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClosesTheFileOnEveryPath(bool cached)
    {
        var path = _temp.CreateFile("root/big.bin", 16 << 20);
        var host = await KestrelHost.StartAsync(app => app.MapFiles("/files",
            new FileServingOptions { Root = _temp["root"], OpenFileCache = new() { Enabled = cached } }));
        var client = host.CreateClient();
        string etag;
        using (var probe = new HttpRequestMessage(HttpMethod.Head, "files/big.bin"))
        using (var headResponse = await client.SendAsync(probe))
        {
            etag = headResponse.Headers.ETag!.ToString();
        }

        var requests = new (string Method, string[] Headers, HttpStatusCode Status)[]
        {
            ("HEAD", [], HttpStatusCode.OK),
            ("GET", ["Range: bytes=0-9"], HttpStatusCode.PartialContent),
            ("GET", ["Range: bytes=0-9,100-199"], HttpStatusCode.PartialContent),
            ("GET", ["Range: bytes=999999999-"], HttpStatusCode.RequestedRangeNotSatisfiable),
            ("GET", ["If-None-Match: " + etag], HttpStatusCode.NotModified),
            ("GET", ["If-Match: \"nope\""], HttpStatusCode.PreconditionFailed),
        };
        foreach (var (method, headers, status) in requests)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), "files/big.bin");
            foreach (var header in headers)
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                request.Headers.TryAddWithoutValidation(header[..colon], header[(colon + 2)..]);
            }

            using var response = await client.SendAsync(request);
            Assert.Equal(status, response.StatusCode);
        }

        // A client that goes away after the headers of a 16 MiB body.
        using (var aborted = await client.GetAsync("files/big.bin", HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await aborted.Content.ReadAsStreamAsync();
            await body.ReadExactlyAsync(new byte[1024]);
            Assert.True(OpenHandlesTo(path) >= 1, "the probe must see the handle of a response in flight");
        }

        var remaining = cached ? 1 : 0;
        await Eventually.AssertAsync(() => OpenHandlesTo(path) == remaining, $"the file is not open exactly {remaining} time(s) in this process");
        client.Dispose();
        await host.DisposeAsync();
        Assert.Equal(0, OpenHandlesTo(path));
    }

    [Fact]
    public async Task AbortsWhenTheFileShrinksWhileBeingSent()
    {
        var path = _temp.CreateFile("root/shrinks.bin", 64 << 20);
        await using var host = await KestrelHost.StartAsync(app => app.MapFiles("/files", new FileServingOptions { Root = _temp["root"], ReadSize = 64 * 1024 }));
        using var client = host.CreateClient();
        using var response = await client.GetAsync("files/shrinks.bin", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(64L << 20, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.ReadExactlyAsync(new byte[64 * 1024]);

        // Truncate while the server is held back by the client's backpressure.
        using (var shrink = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            shrink.SetLength(1 << 20);
        }

        var total = 64L * 1024;
        var buffer = new byte[1 << 16];
        var failure = await Record.ExceptionAsync(async () =>
        {
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                total += read;
            }
        });
        Assert.True(failure is HttpIOException or IOException, $"read {total} bytes, then {failure?.GetType().Name ?? "a clean end"}");
        Assert.True(total < 64L << 20);
        await Eventually.AssertAsync(() => host.Logs.Contains(1003), "no mid-body failure was logged");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFileRewrittenInPlaceWhileBeingSent_CutsTheResponseOff_RatherThanEndItWithTwoVersions(bool cached)
    {
        var path = _temp.CreateFile($"root/rewritten-{cached}.bin", 32 << 20, seed: 1);
        await using var host = await KestrelHost.StartAsync(app => app.MapFiles("/files",
            new FileServingOptions { Root = _temp["root"], ReadSize = 64 * 1024, OpenFileCache = new() { Enabled = cached } }));
        using var client = host.CreateClient();
        using var response = await client.GetAsync($"files/rewritten-{cached}.bin", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        await body.ReadExactlyAsync(new byte[1 << 20]);

        // The start rewritten, as `dd conv=notrunc` or an editor's in-place save does: same length, new bytes, new time.
        using (var rewrite = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            rewrite.Write(new byte[1 << 20]);
        }

        var failure = await Record.ExceptionAsync(() => body.CopyToAsync(Stream.Null));

        Assert.True(failure is HttpIOException or IOException, $"the body ended {failure?.GetType().Name ?? "cleanly"}");
    }

    [Fact]
    public async Task AReplacementWithTheSameLengthAndTimeGetsANewTag()
    {
        // rsync -t, cp -p and an atomic rename over the file all keep length and time-stamp; only the file id
        // (the inode on Linux) tells the versions apart, so a cached range of the old bytes is never spliced in.
        var path = _temp.CreateFile("root/v.bin", 4096);
        var stamp = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, stamp);
        await using var host = await KestrelHost.StartAsync(app => app.MapFiles("/files", new FileServingOptions { Root = _temp["root"] }));
        using var client = host.CreateClient();
        var before = (await client.GetAsync("files/v.bin")).Headers.ETag!.Tag;

        var replacement = _temp.CreateFile("root/v.bin.new", 4096);
        File.SetLastWriteTimeUtc(replacement, stamp);
        File.Move(replacement, path, overwrite: true);
        using var request = new HttpRequestMessage(HttpMethod.Get, "files/v.bin");
        request.Headers.TryAddWithoutValidation("If-None-Match", before);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(before, response.Headers.ETag!.Tag);
        Assert.Equal(response.Content.Headers.LastModified, new DateTimeOffset(stamp));
    }

    public void Dispose() => _temp.Dispose();

    private static int OpenHandlesTo(string path)
    {
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == path)
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The descriptor closed while we looked.
            }
        }

        return count;
    }
}
