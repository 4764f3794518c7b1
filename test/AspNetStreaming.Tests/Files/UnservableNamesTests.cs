using System.Diagnostics;
using AspNetStreaming.Http;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;

namespace AspNetStreaming.Tests.Files;

/// <summary>Names the disk itself refuses or that are not files: each a 404 ProblemDetails at once, with a refusal in
/// the log, through MapFiles and UseStreamingStaticFiles, never a 500 from an exception out of the open, and never a
/// request left waiting (opening a FIFO blocks until a writer comes).</summary>
public sealed class UnservableNamesTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private KestrelHost _host = null!;

    public static TheoryData<string> Names => new()
    {
        new string('a', 256), // one segment past NAME_MAX (ENAMETOOLONG)
        string.Concat(Enumerable.Repeat("%e2%82%ac", 100)), // 300 bytes of UTF-8
        "loop1", // ELOOP
        "fifo",
        "hello.txt/", // the file under another URL
        "hello.txt//",
        "sub//hello.txt",
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_temp["root/sub"]);
        await File.WriteAllTextAsync(_temp["root/hello.txt"], "hello\n");
        await File.WriteAllTextAsync(_temp["root/sub/hello.txt"], "hello\n");
        File.CreateSymbolicLink(_temp["root/loop1"], "loop2");
        File.CreateSymbolicLink(_temp["root/loop2"], "loop1");
        using (var mkfifo = Process.Start("mkfifo", [_temp["root/fifo"]]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        _host = await KestrelHost.StartAsync(app =>
        {
            app.MapFiles("/files", new FileServingOptions { Root = _temp["root"] });
            app.UseStreamingStaticFiles(new StreamingStaticFileOptions { RequestPath = "/static", Root = _temp["root"] });
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(Names))]
    public async Task IsA404ProblemAtOnce_AndLoggedAsRefused(string name)
    {
        using var client = _host.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(20);

        using var mapped = await client.GetAsync("/files/" + name);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, mapped.StatusCode);
        Assert.Equal("application/problem+json", mapped.Content.Headers.ContentType?.MediaType);
        Assert.True(_host.Logs.Contains(2002), "a refusal (2002) was logged");
        Assert.False(_host.Logs.Contains(2009), "no open failure (2009) was logged");

        using var middleware = await client.GetAsync("/static/" + name);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, middleware.StatusCode);
    }

    [Fact]
    public async Task TheFilesThemselvesAreServed()
    {
        using var client = _host.CreateClient();

        Assert.Equal("hello\n", await client.GetStringAsync("/files/hello.txt"));
        Assert.Equal("hello\n", await client.GetStringAsync("/files/sub/hello.txt"));
        Assert.Equal("hello\n", await client.GetStringAsync("/static/sub/hello.txt"));
    }
}
