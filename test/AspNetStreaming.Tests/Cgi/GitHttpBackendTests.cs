using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AspNetStreaming.Tests.Cgi;

/// <summary>A real CGI program driven by a real client: git's own <c>git http-backend</c> behind <c>MapCgi</c>, and
/// the <c>git</c> command line pushing and cloning over the smart HTTP protocol. It exercises what a toy script does
/// not: a push body larger than git's post buffer (sent chunked, so the host must give the script a length or an
/// end), gzip-encoded fetch negotiation, <c>Git-Protocol</c> passed as <c>HTTP_GIT_PROTOCOL</c>, and a pack streamed
/// back as the response. Needs git (installed by .ci/run).</summary>
public sealed class GitHttpBackendTests : IDisposable
{
    private static readonly TimeSpan GitTimeout = TimeSpan.FromMinutes(2);
    private readonly TempDirectory _temp = new();

    public GitHttpBackendTests()
    {
        Directory.CreateDirectory(_temp["scripts"]);
        Directory.CreateDirectory(_temp["repos"]);
        Directory.CreateDirectory(_temp["spool"]);
        Directory.CreateDirectory(_temp["home"]);

        // A wrapper, not a symlink to git-core: MapCgi refuses links that leave its root.
        var script = _temp["scripts/git"];
        File.WriteAllText(script, "#!/bin/sh\nexec git http-backend\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task GitPushesAndClonesThroughGitHttpBackend_ByteForByte()
    {
        await GitAsync(null, "init", "--bare", "--initial-branch=main", _temp["repos/project.git"]);
        await GitAsync(_temp["repos/project.git"], "config", "http.receivepack", "true");
        await GitAsync(null, "init", "--initial-branch=main", _temp["work"]);
        var large = _temp.CreateFile("work/data.bin", 3 << 20, seed: 5); // random, so the pack stays larger than http.postBuffer (1 MiB)
        File.WriteAllText(_temp["work/README"], "pushed over CGI\n");
        await GitAsync(_temp["work"], "add", ".");
        _date = "2020-01-01T00:00:00Z";
        await GitAsync(_temp["work"], "commit", "-q", "-m", "first");
        var head = (await GitAsync(_temp["work"], "rev-parse", "HEAD")).Trim();

        var (chunked, gzipped, protocolV2) = (0, 0, 0);
        await using var host = await KestrelHost.StartAsync(
            app =>
            {
                app.Use((context, next) =>
                {
                    var headers = context.Request.Headers;
                    if (headers.TransferEncoding.ToString().Contains("chunked", StringComparison.OrdinalIgnoreCase))
                    {
                        Interlocked.Increment(ref chunked);
                    }

                    if (headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
                    {
                        Interlocked.Increment(ref gzipped);
                    }

                    if (headers["Git-Protocol"].ToString().Contains("version=2", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref protocolV2);
                    }

                    return next(context);
                });
                app.MapCgi("/git", _temp["scripts"], cgi => cgi.SpoolDirectory = _temp["spool"], processes =>
                {
                    processes.Environment["GIT_PROJECT_ROOT"] = _temp["repos"];
                    processes.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
                });
            },
            builder =>
            {
                var empty = new ConfigurationBuilder().Build();
                builder.Services.AddStreamingProcesses(empty);
                builder.Services.AddStreamingCgi(empty);
                builder.Services.AddRouting();
            });
        var url = new Uri(host.BaseAddress, "git/git/project.git").ToString();

        await GitAsync(_temp["work"], "push", url, "main");
        Assert.Equal(head, (await GitAsync(_temp["repos/project.git"], "rev-parse", "main")).Trim());

        await GitAsync(null, "clone", "-q", url, _temp["clone"]);
        Assert.Equal(head, (await GitAsync(_temp["clone"], "rev-parse", "HEAD")).Trim());
        Assert.Equal(await File.ReadAllBytesAsync(large), await File.ReadAllBytesAsync(_temp["clone/data.bin"]));
        Assert.Equal("pushed over CGI\n", await File.ReadAllTextAsync(_temp["clone/README"]));
        await GitAsync(_temp["clone"], "fsck", "--full");

        // A fetch from a clone with history the server lacks: its negotiation lists many "have" lines, a request body
        // large enough for git to gzip it (the host passes it to the script as it came, with CONTENT_ENCODING).
        for (var i = 0; i < 60; i++)
        {
            // Dated after the common commit, each later than the one before: the negotiation walks all of them (newest
            // first) before it reaches what the server has, so its requests grow past git's gzip threshold. With the
            // clock's own seconds, ties could bring the common commit into the first round, and nothing was gzipped.
            _date = $"2021-01-01T00:{i / 60:00}:{i % 60:00}Z";
            await GitAsync(_temp["clone"], "commit", "-q", "--allow-empty", "-m", $"local {i}");
        }

        File.WriteAllText(_temp["work/NEWS"], "second\n");
        await GitAsync(_temp["work"], "add", ".");
        _date = "2020-06-01T00:00:00Z";
        await GitAsync(_temp["work"], "commit", "-q", "-m", "second");
        _date = null;
        await GitAsync(_temp["work"], "push", url, "main");
        await GitAsync(_temp["clone"], "fetch", "-q", "origin");
        Assert.Equal((await GitAsync(_temp["work"], "rev-parse", "HEAD")).Trim(), (await GitAsync(_temp["clone"], "rev-parse", "origin/main")).Trim());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp["spool"])); // every spooled push body removed

        // What made it a real exercise, not only a small request: a chunked push, gzip negotiation, protocol v2.
        Assert.True(chunked > 0, "the push body was not sent chunked");
        Assert.True(gzipped > 0, "no fetch negotiation came gzip-encoded");
        Assert.True(protocolV2 > 0, "no request asked for protocol v2");
    }

    // git with no user or system configuration, no prompt for credentials (a 401 fails the test instead of hanging),
    // and an identity for the commit.
    private string? _date; // the author and committer date of the next commits, when set

    private async Task<string> GitAsync(string? directory, params string[] arguments)
    {
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = _temp["home"],
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_AUTHOR_NAME"] = "Test",
            ["GIT_AUTHOR_EMAIL"] = "test@example.com",
            ["GIT_COMMITTER_NAME"] = "Test",
            ["GIT_COMMITTER_EMAIL"] = "test@example.com",
        };
        if (_date is not null)
        {
            environment["GIT_AUTHOR_DATE"] = environment["GIT_COMMITTER_DATE"] = _date;
        }

        string[] all = directory is null ? arguments : ["-C", directory, .. arguments];
        var (exit, stdout, stderr) = await CommandLine.RunAsync("git", all, GitTimeout, environment: environment);
        Assert.True(exit == 0, $"git {string.Join(' ', arguments)} exited {exit}: {stderr}");
        return stdout;
    }
}
