using System.Net;
using AspNetStreaming.Http;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AspNetStreaming.Tests.Files;

/// <summary>The deploy that swaps a <c>current</c> link from one release to the next (Capistrano, rsync-and-flip,
/// Kubernetes' ConfigMap volumes): the served root, or a directory above it, is a link that is re-pointed while the app
/// runs. The next request serves the new release, with the open-file cache on or off, as a server that follows links
/// per request does; nothing of the old release is served after the flip.</summary>
public sealed class RepointedRootTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public RepointedRootTests()
    {
        WriteRelease("1", "release one");
        WriteRelease("2", "release two");
        File.WriteAllText(_temp["releases/2/wwwroot/new.txt"], "only in two");
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task TheNextRequestAfterTheFlipServesTheNewRelease(bool rootIsTheLink, bool cache)
    {
        // Either "current" -> releases/N/wwwroot is the root, or "current" -> releases/N sits above it.
        Func<string, string> target = release => rootIsTheLink ? _temp[$"releases/{release}/wwwroot"] : _temp[$"releases/{release}"];
        Directory.CreateSymbolicLink(_temp["current"], target("1"));
        var root = rootIsTheLink ? _temp["current"] : _temp["current/wwwroot"];
        await using var host = await KestrelHost.StartAsync(app => app.MapFiles("/files",
            new FileServingOptions { Root = root, OpenFileCache = new() { Enabled = cache } }));
        using var client = host.CreateClient();
        Assert.Equal("release one", await client.GetStringAsync("files/a.txt"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("files/new.txt")).StatusCode);

        // The flip as deploys make it: a new link renamed over the old one, atomically.
        Directory.CreateSymbolicLink(_temp["current.next"], target("2"));
        RenameOver(_temp["current.next"], _temp["current"]);

        Assert.Equal("release two", await client.GetStringAsync("files/a.txt"));
        Assert.Equal("only in two", await client.GetStringAsync("files/new.txt"));
        Assert.Equal("release two", await client.GetStringAsync("files/sub/b.txt"));
    }

    // Uploads follow the same flip: the next upload lands in the new release, where MapFiles serves it.
    [Fact]
    public async Task UploadsUnderTheLink_GoToTheNewRelease_AfterTheFlip()
    {
        Directory.CreateSymbolicLink(_temp["current"], _temp["releases/1"]);
        await using var host = await KestrelHost.StartAsync(app =>
        {
            app.MapUpload("/u");
            app.MapFiles("/files", new FileServingOptions { Root = _temp["current/wwwroot"] });
        }, builder => builder.Services.AddStreamingUploads(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Root"] = _temp["current/wwwroot"] }).Build()));
        using var client = host.CreateClient();
        (await client.PutAsync("u/up1.txt", new StringContent("one"))).EnsureSuccessStatusCode();

        Directory.CreateSymbolicLink(_temp["current.next"], _temp["releases/2"]);
        RenameOver(_temp["current.next"], _temp["current"]);
        (await client.PutAsync("u/up2.txt", new StringContent("two"))).EnsureSuccessStatusCode();

        Assert.True(File.Exists(_temp["releases/1/wwwroot/up1.txt"]));
        Assert.True(File.Exists(_temp["releases/2/wwwroot/up2.txt"]));
        Assert.Equal("two", await client.GetStringAsync("files/up2.txt"));
    }

    [Fact]
    public async Task ALinkWhoseAbsoluteTargetGoesThroughTheLinkedRoot_IsServed_ButOneOutOfItIsNot()
    {
        Directory.CreateSymbolicLink(_temp["current"], _temp["releases/1"]);
        File.CreateSymbolicLink(_temp["releases/1/wwwroot/alias.txt"], _temp["current/wwwroot/sub/b.txt"]);
        File.CreateSymbolicLink(_temp["releases/1/wwwroot/other.txt"], _temp["releases/2/wwwroot/a.txt"]);
        await using var host = await KestrelHost.StartAsync(app => app.MapFiles("/files",
            new FileServingOptions { Root = _temp["current/wwwroot"], OpenFileCache = new() { Enabled = false } }));
        using var client = host.CreateClient();

        Assert.Equal("release one", await client.GetStringAsync("files/alias.txt"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("files/other.txt")).StatusCode);
    }

    // rename(2), as `mv -T` makes it: File.Move and Directory.Move refuse a destination that is a link to a directory.
    private static void RenameOver(string from, string to)
    {
        using var mv = System.Diagnostics.Process.Start("mv", ["-T", from, to]);
        mv.WaitForExit();
        Assert.Equal(0, mv.ExitCode);
    }

    private void WriteRelease(string release, string text)
    {
        Directory.CreateDirectory(_temp[$"releases/{release}/wwwroot/sub"]);
        File.WriteAllText(_temp[$"releases/{release}/wwwroot/a.txt"], text);
        File.WriteAllText(_temp[$"releases/{release}/wwwroot/sub/b.txt"], text);
    }
}
