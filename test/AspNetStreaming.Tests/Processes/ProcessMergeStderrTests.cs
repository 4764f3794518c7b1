using System.Net;
using AspNetStreaming.IO;
using AspNetStreaming.Processes;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using static AspNetStreaming.Tests.Processes.ProcessTestSupport;

namespace AspNetStreaming.Tests.Processes;

/// <summary><see cref="ProcessOptions.MergeStandardError"/>: stderr mixed into the output only when asked.</summary>
public sealed class ProcessMergeStderrTests
{
    private const string OutErrOut = "echo out1; echo err1 >&2; sleep 0.2; echo out2";

    private static readonly Dictionary<string, string?> MergeSetting = new() { ["MergeStandardError"] = "true" };

    [Fact]
    public async Task MergedStderrIsInTheBodyInArrivalOrderAndStillLogged()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash(OutErrOut)), MergeSetting);
        using var client = host.CreateClient();
        using var response = await client.PostAsync("p", Text(""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(["err1", "out1", "out2"], body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.EndsWith("out2\n", body, StringComparison.Ordinal);
        await Task.Delay(100);
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == 3006 && e.Message.Contains("err1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StderrStaysOutOfTheBodyByDefault()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash(OutErrOut)));
        using var client = host.CreateClient();
        using var response = await client.PostAsync("p", Text(""));
        Assert.Equal("out1\nout2\n", await response.Content.ReadAsStringAsync());
        await Task.Delay(100);
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == 3006 && e.Message.Contains("err1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CommunicateReturnsTheMergedTextAndKeepsTheStderrTail()
    {
        var result = await ProcessRunner.CommunicateAsync(Bash(OutErrOut + "; exit 3"), options: new ProcessOptions { MergeStandardError = true });
        Assert.Equal(3, result.ExitCode);
        Assert.Equal(["err1", "out1", "out2"], result.StandardOutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.EndsWith("out2\n", result.StandardOutputText, StringComparison.Ordinal);
        Assert.Equal("err1\n", result.StandardErrorText);
    }

    [Fact]
    public async Task EveryStagesStderrIsMergedInAPipeline()
    {
        var result = await ProcessRunner.CommunicateAsync(
            [Bash("echo first-err >&2; echo data"), Bash("cat; sleep 0.1; echo last-err >&2")],
            ProcessInput.None,
            new ProcessOptions { MergeStandardError = true });
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["data", "first-err", "last-err"], result.StandardOutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.EndsWith("last-err\n", result.StandardOutputText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MergedBytesCountTowardsTheOutputLimit()
    {
        var options = new ProcessOptions { MergeStandardError = true, MaxOutputBytes = 100_000 };
        await Assert.ThrowsAsync<ContentTooLargeException>(() => ProcessRunner.CommunicateAsync(Bash("yes >&2"), options: options));
    }

    [Fact]
    public async Task TenMegabytesOfMergedStderrArriveCompleteWithoutDeadlock()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p",
            Bash("head -c 10000000 /dev/zero | tr '\\0' 'x' >&2; echo done")), MergeSetting);
        using var client = host.CreateClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await client.PostAsync("p", Text(""), cts.Token);
        var body = await response.Content.ReadAsByteArrayAsync(cts.Token);
        Assert.Equal(10_000_005, body.Length);

        // Both pipes are read concurrently: "done" may overtake the last stderr bytes still in their pipe.
        Assert.Equal(10_000_000, body.AsSpan().Count((byte)'x'));
        Assert.Equal(1, body.AsSpan().Count("done\n"u8));
    }

    [Fact]
    public async Task SlowClientStopsTheReadingOfStderrWhenMerged()
    {
        using var temp = new TempDirectory();
        var marker = temp["finished"];
        await using var host = await StartAsync(app => app.MapProcess("/p",
            Bash("head -c 64000000 /dev/zero >&2; echo > \"$1\"", marker)), MergeSetting);
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "p") { Content = Text("") };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[65536];
        var total = (long)await stream.ReadAsync(buffer);

        // Not reading: the merged pipe, the OS stderr pipe and the socket fill, so bash must block on stderr.
        await Task.Delay(1000);
        Assert.False(File.Exists(marker), "stderr was read ahead of a client that stopped reading");
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        Assert.Equal(64_000_000, total);
        Assert.True(File.Exists(marker));
    }
}
