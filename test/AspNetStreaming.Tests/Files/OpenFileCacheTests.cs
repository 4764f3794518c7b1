using System.Net;
using AspNetStreaming.Http;
using AspNetStreaming.IO;
using AspNetStreaming.Storage;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;

namespace AspNetStreaming.Tests.Files;

/// <summary>The open-file cache of <c>MapFiles</c>: every change to what a path names is seen on the very next
/// request (the cache validates each hit with a stat), it never holds more than its bound, and it leaks nothing.</summary>
public sealed class OpenFileCacheTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private KestrelHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_temp["root"]);
        Directory.CreateDirectory(_temp["outside"]);
        _host = await KestrelHost.StartAsync(app => app.MapFiles("/files", new FileServingOptions { Root = _temp["root"] }));
        _client = _host.CreateClient();
    }

    [Fact]
    public async Task AFileReplacedByRenameIsServedNewOnTheNextRequest()
    {
        var path = Write("root/a.txt", "first version");
        Assert.Equal("first version", await GetAsync("a.txt"));
        Write("root/a.txt.new", "second version");
        File.Move(_temp["root/a.txt.new"], path, overwrite: true);
        Assert.Equal("second version", await GetAsync("a.txt"));
    }

    [Fact]
    public async Task AFileRewrittenInPlaceWithTheSameLengthIsServedNew()
    {
        // The open handle would read the new bytes anyway; what must not go stale is the validator sent with them.
        var path = Write("root/same.txt", "aaaaaaaa");
        using var before = await _client.GetAsync("files/same.txt");
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.Write("bbbbbbbb"u8);
        }

        using var after = await _client.GetAsync("files/same.txt");
        Assert.Equal("bbbbbbbb", await after.Content.ReadAsStringAsync());
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
    }

    [Fact]
    public async Task AFileTruncatedOrAppendedToIsServedAtItsNewLength()
    {
        var path = Write("root/grow.txt", "0123456789");
        Assert.Equal("0123456789", await GetAsync("grow.txt"));
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.SetLength(4);
        }

        Assert.Equal("0123", await GetAsync("grow.txt"));
        File.AppendAllText(path, "-appended");
        Assert.Equal("0123-appended", await GetAsync("grow.txt"));
    }

    [Fact]
    public async Task ALinkRepointedOutsideTheRootIsRefusedOnTheNextRequest()
    {
        Write("root/inside.txt", "inside");
        Write("outside/secret.txt", "secret");
        var link = _temp["root/link.txt"];
        File.CreateSymbolicLink(link, _temp["root/inside.txt"]);
        Assert.Equal("inside", await GetAsync("link.txt"));

        File.Delete(link);
        File.CreateSymbolicLink(link, _temp["outside/secret.txt"]);
        using var response = await _client.GetAsync("files/link.txt");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("secret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADirectoryMovedOutOfTheRootAndLinkedBack_IsRefusedWithinASecond_AndNeverServesAChangedFile()
    {
        // The file is the same (inode, length, times), so a stat of the path through the link sees no change; where the
        // cached handle lies is asked of the kernel once a second. Meanwhile only that very file can be served: a change to
        // it fails the stat.
        Directory.CreateDirectory(_temp["root/d"]);
        Write("root/d/f.txt", "moved out");
        Assert.Equal("moved out", await GetAsync("d/f.txt"));

        Directory.Move(_temp["root/d"], _temp["outside/d2"]);
        Directory.CreateSymbolicLink(_temp["root/d"], _temp["outside/d2"]);

        await Eventually.AssertAsync(() =>
        {
            using var response = _client.Send(new HttpRequestMessage(HttpMethod.Get, "files/d/f.txt"));
            return response.StatusCode == HttpStatusCode.NotFound;
        }, "the moved directory was refused", TimeSpan.FromSeconds(5));
        Write("outside/d2/f.txt", "changed outside");
        using var after = await _client.GetAsync("files/d/f.txt");
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task ADeletedFileIsNotFoundAndAMissingOneIsNotCached()
    {
        var path = Write("root/gone.txt", "here");
        Assert.Equal("here", await GetAsync("gone.txt"));
        File.Delete(path);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("files/gone.txt")).StatusCode);

        // The 404 is not remembered: the file is served as soon as it exists.
        Write("root/gone.txt", "back");
        Assert.Equal("back", await GetAsync("gone.txt"));
    }

    [Fact]
    public async Task APermissionChangeDropsTheCachedHandle()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes; the cache is off on Windows anyway
        }

        // Reading through a handle opened before a chmod would bypass the new mode, so a chmod (a new status-change
        // time) must send the next request through a fresh open, which applies it (as root, the open still succeeds).
        var path = Write("root/secret.txt", "mode 644");
        using var cache = new OpenFileCache(10, TimeSpan.FromMinutes(1));
        var store = new LocalFileStore(new RootedPathResolver(_temp["root"]), cache);
        (await store.OpenReadAsync("secret.txt", null, default)).Source!.Dispose();
        (await store.OpenReadAsync("secret.txt", null, default)).Source!.Dispose();
        Assert.Equal((1L, 0L), (cache.Hits, cache.Invalidations));

        File.SetUnixFileMode(path, UnixFileMode.None);
        var opening = await store.OpenReadAsync("secret.txt", null, default);
        opening.Source?.Dispose();
        Assert.Equal(1, cache.Invalidations);
        Assert.Equal(CanOpen(path) ? StoreOpenOutcome.Found : StoreOpenOutcome.NotFound, opening.Outcome);
    }

    [Fact]
    public async Task NeverHoldsMoreThanItsBoundAndLeaksNoHandle()
    {
        await using var host = await KestrelHost.StartAsync(app => app.MapFiles("/files",
            new FileServingOptions { Root = _temp["root"], OpenFileCache = new() { MaxEntries = 1000 } }));
        using var client = host.CreateClient();
        for (var i = 0; i < 5000; i++)
        {
            Write($"root/many/{i}.txt", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // 10,000 requests over 5,000 files, eight at a time: each file twice, far apart, so most are evictions.
        var peak = 0;
        await Parallel.ForAsync(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
        {
            var file = i % 5000;
            Assert.Equal(file.ToString(System.Globalization.CultureInfo.InvariantCulture), await client.GetStringAsync($"files/many/{file}.txt", token));
            if (i % 500 == 0)
            {
                InterlockedMax(ref peak, OpenHandlesUnder(_temp["root/many"]));
            }
        });

        Assert.InRange(peak, 1, 1000 + 8);
        Assert.InRange(OpenHandlesUnder(_temp["root/many"]), 1, 1000);
        client.Dispose();
        await host.DisposeAsync();
        Assert.Equal(0, OpenHandlesUnder(_temp["root/many"]));
    }

    [Fact]
    public async Task AnEvictionNeverClosesAHandleAResponseIsReading()
    {
        await using var host = await KestrelHost.StartAsync(app => app.MapFiles("/files",
            new FileServingOptions { Root = _temp["root"], ReadSize = 64 * 1024, OpenFileCache = new() { MaxEntries = 1 } }));
        using var client = host.CreateClient();
        var big = _temp.CreateFile("root/big.bin", 32 << 20, seed: 7);
        Write("root/small.txt", "small");

        using var response = await client.GetAsync("files/big.bin", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var buffer = new byte[1 << 16];
        await body.ReadExactlyAsync(buffer);
        received.Write(buffer);

        // The only slot goes to another file while the big one is being sent: its handle must stay open until done.
        Assert.Equal("small", await client.GetStringAsync("files/small.txt"));
        await body.CopyToAsync(received);
        Assert.Equal(await File.ReadAllBytesAsync(big), received.ToArray());
        await Eventually.AssertAsync(() => OpenHandlesUnder(big) == 0, "the evicted handle was not closed after its response");
    }

    [Fact]
    public async Task AnIdleEntryIsClosed()
    {
        await using var host = await KestrelHost.StartAsync(app => app.MapFiles("/files",
            new FileServingOptions { Root = _temp["root"], OpenFileCache = new() { IdleTimeout = TimeSpan.FromMilliseconds(200) } }));
        using var client = host.CreateClient();
        var path = Write("root/idle.txt", "idle");
        Assert.Equal("idle", await client.GetStringAsync("files/idle.txt"));
        await Eventually.AssertAsync(() => OpenHandlesUnder(path) == 0, "an idle entry was not closed");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    public void Dispose() => _temp.Dispose();

    private async Task<string> GetAsync(string name) => await _client.GetStringAsync("files/" + name);

    private string Write(string name, string text)
    {
        var path = _temp[name];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static bool CanOpen(string path)
    {
        try
        {
            File.OpenHandle(path).Dispose();
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>This process's descriptors open on <paramref name="path"/> or anything under it.</summary>
    private static int OpenHandlesUnder(string path)
    {
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && (target == path || target.StartsWith(path + "/", StringComparison.Ordinal)))
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
