using System.Net;
using AspNetStreaming.Processes;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using static AspNetStreaming.Tests.Processes.ProcessTestSupport;

namespace AspNetStreaming.Tests.Processes;

/// <summary>How a process endpoint answers when its program is stopped before or around its first output: a
/// descendant that escaped the stage's group cannot hold the response open, the output limit in the first read is a
/// 502, and a shutdown is a 503 to retry rather than a failure.</summary>
public sealed class ProcessStopAnswersTests
{
    [Fact]
    public async Task AProcessThatLeftTheGroup_IsKilledWithTheTree_AndOneNoTreeReaches_CannotHoldTheResponseOpen()
    {
        // Two escapes from the stage's process group, both keeping stdout open: one whose parent (the shell) is still
        // there at the kill, so the tree reaches it; one whose parent left at once (a daemon), which nothing reaches.
        using var temp = new TempDirectory();
        var pids = temp["pids"];
        await using var host = await StartAsync(app => app.MapProcess("/p",
            Bash("setsid sleep 1000 & echo $! >> \"$1\"; (setsid sleep 1000 & echo $! >> \"$1\"); sleep 1000", pids),
            o => o.IdleTimeout = TimeSpan.FromMilliseconds(500)));
        using var client = host.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(30);
        int[] escaped = [];
        try
        {
            var request = client.GetAsync("p");
            escaped = await ReadPidsAsync(pids, 2);

            using var response = await request;

            Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
            Assert.True(KilledFor(host, ProcessKillReason.IdleTimeout));
            Assert.True(await WaitDeadAsync([escaped[0]]), $"the escaped child {escaped[0]} outlived the kill");
        }
        finally
        {
            foreach (var pid in escaped.Where(pid => !IsDead(pid)))
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                    // gone meanwhile
                }
            }
        }
    }

    [Fact]
    public async Task OutputOverTheLimitInTheFirstReadIs502ProblemDetails()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash("echo 'more than ten bytes of output'; sleep 1000"), o => o.MaxOutputBytes = 10));
        using var client = host.CreateClient();

        using var response = await client.GetAsync("p");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(host.Logs.Contains(3004), "the failure before output was not logged (3004)");
        Assert.True(KilledFor(host, ProcessKillReason.OutputLimit));
    }

    [Fact]
    public async Task AShutdownBeforeTheFirstOutputIs503WithRetryAfter_NotAFailure()
    {
        using var temp = new Infrastructure.TempDirectory();
        var pidFile = temp["pids"];
        var host = await StartAsync(app => app.MapProcess("/p", Bash("echo $$ > \"$1\"; exec sleep 1000", pidFile)));
        using var client = host.CreateClient();
        var request = client.GetAsync("p");
        var pids = await ReadPidsAsync(pidFile, 1);

        var stopping = host.DisposeAsync().AsTask();
        using var response = await request;
        await stopping;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.True(await WaitDeadAsync(pids));
    }

    [Fact]
    public async Task AProgramThatStopsReadingItsInput_LeavesKestrelsRequestBodySound()
    {
        // head reads 10 bytes and exits while the client is still sending: the feed's pending body read is ended. Ended
        // through its token, it left Kestrel's body mid-read, and Kestrel's drain of the rest logged an error.
        await using var host = await StartAsync(app => app.MapProcess("/p", new ProcessCommand("head", "-c", "10")));
        using var client = host.CreateClient();
        using var content = new SlowContent(chunks: 40, chunkSize: 64 * 1024, pause: TimeSpan.FromMilliseconds(20));

        using var response = await client.PostAsync("p", content);

        Assert.Equal(10, (await response.Content.ReadAsByteArrayAsync()).Length);
        using (var next = await client.PostAsync("p", new ByteArrayContent(new byte[100]))) // after the first one's drain
        {
            Assert.Equal(10, (await next.Content.ReadAsByteArrayAsync()).Length);
        }

        Assert.DoesNotContain(host.Logs.Entries, entry => entry.Category.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal)
            && entry.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    /// <summary>A body that comes in chunks with pauses between them, as a client on a slow link sends it.</summary>
    private sealed class SlowContent(int chunks, int chunkSize, TimeSpan pause) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var chunk = new byte[chunkSize];
            for (var i = 0; i < chunks; i++)
            {
                await stream.WriteAsync(chunk);
                await stream.FlushAsync();
                await Task.Delay(pause);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = (long)chunks * chunkSize;
            return true;
        }
    }
}
