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

    // out2 only once the test has seen err1 arrive (a file appears, or a line on stdin): the order a fixed
    // sleep merely made likely, on a loaded machine too.
    private const string OutErrGateOut = "echo out1; echo err1 >&2; while [ ! -e \"$1\" ]; do sleep 0.01; done; echo out2";
    private const string OutErrReadOut = "echo out1; echo err1 >&2; read -r _; echo out2";

    private static readonly Dictionary<string, string?> MergeSetting = new() { ["MergeStandardError"] = "true" };

    [Fact]
    public async Task MergedStderrIsInTheBodyInArrivalOrderAndStillLogged()
    {
        using var temp = new TempDirectory();
        var gate = temp["err1-arrived"];
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash(OutErrGateOut, gate)), MergeSetting);
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "p") { Content = Text("") };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var body = new System.Text.StringBuilder();
        var buffer = new byte[4096];
        int read;
        while (!(body.ToString().Contains("out1\n", StringComparison.Ordinal) && body.ToString().Contains("err1\n", StringComparison.Ordinal))
            && (read = await stream.ReadAsync(buffer)) > 0)
        {
            body.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
        }

        await File.WriteAllTextAsync(gate, ""); // err1 is in the body: now the program writes out2
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            body.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
        }

        var text = body.ToString();
        Assert.Equal(["err1", "out1", "out2"], text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.EndsWith("out2\n", text, StringComparison.Ordinal);
        await Eventually.AssertAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == 3006 && e.Message.Contains("err1", StringComparison.Ordinal)), "err1 was not logged");
    }

    [Fact]
    public async Task StderrStaysOutOfTheBodyByDefault()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash(OutErrOut)));
        using var client = host.CreateClient();
        using var response = await client.PostAsync("p", Text(""));
        Assert.Equal("out1\nout2\n", await response.Content.ReadAsStringAsync());
        // stderr is drained on its own and may be logged just after the response.
        await Eventually.AssertAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == 3006 && e.Message.Contains("err1", StringComparison.Ordinal)), "err1 was not logged");
    }

    [Fact]
    public async Task CommunicateReturnsTheMergedTextAndKeepsTheStderrTail()
    {
        // The drain logs each line just before it merges the chunk (no await in between), so once err1 is in
        // the log it is about to be merged; only then does the program get the line on stdin it waits for.
        var logs = new CapturedLogs();
        var stdin = new System.IO.Pipelines.Pipe();
        var running = ProcessRunner.CommunicateAsync([Bash(OutErrReadOut + "; exit 3")], ProcessInput.FromPipeReader(stdin.Reader),
            new ProcessOptions { MergeStandardError = true }, logs.CreateLogger("test"));
        await Eventually.AssertAsync(() => logs.Contains(3006), "err1 was not logged");
        await stdin.Writer.WriteAsync("go\n"u8.ToArray());
        await stdin.Writer.CompleteAsync();
        var result = await running;
        Assert.Equal(3, result.ExitCode);
        Assert.Equal(["err1", "out1", "out2"], result.StandardOutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.EndsWith("out2\n", result.StandardOutputText, StringComparison.Ordinal);
        Assert.Equal("err1\n", result.StandardErrorText);
    }

    [Fact]
    public async Task EveryStagesStderrIsMergedInAPipeline()
    {
        // The second stage's stderr comes after the first's: the first stage (and so cat, and the second stage's
        // last line) goes on only once first-err is in the log, which the drain writes just before merging it.
        // (Where "data", on another pipe, lands among them is up to the readers; the HTTP test above pins
        // stdout-versus-stderr arrival order with a client that sees the body.)
        var logs = new CapturedLogs();
        var stdin = new System.IO.Pipelines.Pipe();
        var running = ProcessRunner.CommunicateAsync(
            [Bash("echo first-err >&2; echo data; read -r _"), Bash("cat; echo last-err >&2")],
            ProcessInput.FromPipeReader(stdin.Reader),
            new ProcessOptions { MergeStandardError = true },
            logs.CreateLogger("test"));
        await Eventually.AssertAsync(() => logs.Entries.Any(e => e.EventId.Id == 3006 && e.Message.Contains("first-err", StringComparison.Ordinal)), "first-err was not logged");
        await stdin.Writer.WriteAsync("go\n"u8.ToArray());
        await stdin.Writer.CompleteAsync();
        var result = await running;
        Assert.Equal(0, result.ExitCode);
        var lines = result.StandardOutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["data", "first-err", "last-err"], lines.Order());
        Assert.True(Array.IndexOf(lines, "first-err") < Array.IndexOf(lines, "last-err"), result.StandardOutputText);
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
