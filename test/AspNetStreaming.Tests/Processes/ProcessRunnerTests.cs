using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using AspNetStreaming.IO;
using AspNetStreaming.Processes;
using AspNetStreaming.Tests.Infrastructure;
using static AspNetStreaming.Tests.Processes.ProcessTestSupport;

namespace AspNetStreaming.Tests.Processes;

public sealed class ProcessRunnerTests
{
    [Fact]
    public async Task BytesInputThroughAPipelineGivesStdoutAndExitCode()
    {
        var result = await ProcessRunner.CommunicateAsync(
            [new ProcessCommand("grep", "-i", "error"), new ProcessCommand("wc", "-l")],
            ProcessInput.FromBytes("error\nok\nERROR\n"u8.ToArray()));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal([0, 0], result.ExitCodes);
        Assert.Equal("2", result.StandardOutputText.Trim());
        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task FileInputIsStreamed()
    {
        using var temp = new TempDirectory();
        var path = temp.CreateFile("in.bin", 5_000_000);
        var result = await ProcessRunner.CommunicateAsync(new ProcessCommand("sha256sum"), ProcessInput.FromFile(path));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))) + "  -\n", result.StandardOutputText);
    }

    [Fact]
    public async Task PipeReaderInputIsStreamedAndNotCompleted()
    {
        var pipe = new Pipe();
        var writing = Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes($"line {i}\n"));
            }

            await pipe.Writer.CompleteAsync();
        });
        var result = await ProcessRunner.CommunicateAsync(new ProcessCommand("wc", "-l"), ProcessInput.FromPipeReader(pipe.Reader));
        await writing;
        Assert.Equal("100", result.StandardOutputText.Trim());
    }

    [Fact]
    public async Task EmptyInputStillClosesStdin()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var result = await ProcessRunner.CommunicateAsync(new ProcessCommand("cat"), ProcessInput.None, cancellationToken: timeout.Token);
        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.StandardOutput);
    }

    [Fact]
    public async Task NonZeroExitIsAResultWithStderr()
    {
        var result = await ProcessRunner.CommunicateAsync(Bash("echo out; echo err >&2; exit 5"));
        Assert.Equal(5, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Equal("out\n", result.StandardOutputText);
        Assert.Equal("err\n", result.StandardErrorText);
    }

    [Fact]
    public async Task OutputLimitThrows()
    {
        var options = new ProcessOptions { MaxOutputBytes = 100_000 };
        await Assert.ThrowsAsync<ContentTooLargeException>(() => ProcessRunner.CommunicateAsync(new ProcessCommand("yes"), options: options));
    }

    [Fact]
    public async Task TotalTimeoutKillsAndReports()
    {
        var options = new ProcessOptions { TotalTimeout = TimeSpan.FromMilliseconds(300), IdleTimeout = null };
        var result = await ProcessRunner.CommunicateAsync(new ProcessCommand("sleep", "1000"), options: options);
        Assert.Equal(ProcessKillReason.TotalTimeout, result.KillReason);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public async Task CancellationKillsTheTree()
    {
        using var temp = new TempDirectory();
        var pidFile = temp["pids"];
        using var cts = new CancellationTokenSource();
        // No idle timeout: the cancellation is the only thing that can end this tree.
        var running = ProcessRunner.CommunicateAsync(Bash("sleep 1000 & echo $$ $! > \"$1\"; wait", pidFile), options: new ProcessOptions { IdleTimeout = null }, cancellationToken: cts.Token);
        var pids = await ReadPidsAsync(pidFile, 2);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.True(await WaitDeadAsync(pids), "the tree outlived the cancellation");
    }

    [Fact]
    public async Task MissingProgramThrowsStartException()
    {
        await Assert.ThrowsAsync<ProcessStartException>(() => ProcessRunner.CommunicateAsync(new ProcessCommand("/nonexistent/program")));
    }
}
