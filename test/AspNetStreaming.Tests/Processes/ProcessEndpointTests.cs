using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AspNetStreaming.Processes;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static AspNetStreaming.Tests.Processes.ProcessTestSupport;

namespace AspNetStreaming.Tests.Processes;

public sealed class ProcessEndpointTests
{
    [Fact]
    public async Task ThreeStagePipelineRunsWithoutAShell()
    {
        await using var host = await StartAsync(app => app.MapProcessPipeline("/p",
        [
            new ProcessCommandTemplate("tr", "a-z", "A-Z"),
            new ProcessCommandTemplate("grep", "-c", "ERROR"),
            new ProcessCommandTemplate("sed", "s/^/count=/"),
        ]));
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "p") { Content = Text("error one\nok\nError two\nfine\n") };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal("count=2\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TenMegabytesOfStderrDoNotDeadlockAndAreRateLimitedInTheLog()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p",
            Bash("head -c 10000000 /dev/zero | tr '\\0' 'e' | fold -w 100 >&2; echo done")));
        using var client = host.CreateClient();
        var clock = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await client.PostAsync("p", Text(""), cts.Token);
        Assert.Equal("done\n", await response.Content.ReadAsStringAsync(cts.Token));

        // 100 000 lines: each is either logged or counted in a "suppressed" report. The drain finishes at stderr's
        // end, which may be just after the response: wait until every line is accounted for.
        int Logged() => host.Logs.Entries.Count(e => e.EventId.Id == 3006);
        int Suppressed() => host.Logs.Entries.Where(e => e.EventId.Id == 3007)
            .Sum(e => int.Parse(Regex.Match(e.Message, @"stderr: (\d+) lines").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        await Eventually.AssertAsync(() => Logged() + Suppressed() == 100_000, "every stderr line is logged or reported suppressed",
            details: () => $"{Logged()} logged, {Suppressed()} suppressed");
        Assert.True(host.Logs.Contains(3007), "suppressed lines are reported");

        // The rate limit: every one-second window of the drain lies within the test's own clock, and logs at most
        // the per-second cap. (A loaded machine stretches the drain, and so the allowance, instead of failing.)
        var windows = (int)clock.Elapsed.TotalSeconds + 1;
        Assert.InRange(Logged(), 1, new ProcessOptions().StderrMaxLinesPerSecond * windows);
    }

    [Fact]
    public async Task LongStderrLinesAreCutInTheLog()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash("head -c 5000 /dev/zero | tr '\\0' 'x' >&2; echo; echo ok")),
            new Dictionary<string, string?> { ["StderrMaxLineLength"] = "100" });
        using var client = host.CreateClient();
        using var response = await client.PostAsync("p", Text(""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsStringAsync();
        // The cut line ends at stderr's end, which the drain may reach just after the response.
        await Eventually.AssertAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == 3006), "the stderr line was logged");
        var line = Assert.Single(host.Logs.Entries, e => e.EventId.Id == 3006 && e.Message.Contains("xxx", StringComparison.Ordinal));
        Assert.Contains("(line cut)", line.Message, StringComparison.Ordinal);
        Assert.True(line.Message.Length < 300);
    }

    [Fact]
    public async Task ClientDisconnectKillsTheWholeTree()
    {
        using var temp = new Infrastructure.TempDirectory();
        var pidFile = temp["pids"];
        await using var host = await StartAsync(app => app.MapProcess("/p",
            Bash("sleep 1000 & echo $$ $! > \"$1\"; echo started; wait", pidFile)));
        var connection = await RawConnection.OpenAsync(host.BaseAddress, "GET /p HTTP/1.1\nHost: test\n\n");
        Assert.Contains("started", await connection.ReadUntilAsync("started", Eventually.DefaultTimeout), StringComparison.Ordinal);
        var pids = await ReadPidsAsync(pidFile, 2);
        Assert.False(IsDead(pids[0]));
        Assert.False(IsDead(pids[1]));

        connection.Dispose();
        // Killed because the client left (not by the 30 s idle timeout, which would also end it): the tree dies
        // at the SIGTERM. How fast is the bench's business; the grace period's effect is the next test's.
        Assert.True(await WaitDeadAsync(pids), "the tree outlived the disconnect");
        Assert.True(KilledForTheDisconnect(host), "the kill was not for the disconnect: " + Kills(host));
    }

    [Fact]
    public async Task TermIgnoringGrandchildIsKilledAfterTheGracePeriod()
    {
        using var temp = new Infrastructure.TempDirectory();
        var pidFile = temp["pids"];
        await using var host = await StartAsync(app => app.MapProcess("/p",
            Bash("bash -c 'trap \"\" TERM; echo $$ >> \"$0\"; sleep 1000 & wait' \"$1\" & echo $$ >> \"$1\"; echo started; wait", pidFile)),
            new Dictionary<string, string?> { ["KillGracePeriod"] = "00:00:00.300" });
        var connection = await RawConnection.OpenAsync(host.BaseAddress, "GET /p HTTP/1.1\nHost: test\n\n");
        Assert.Contains("started", await connection.ReadUntilAsync("started", Eventually.DefaultTimeout), StringComparison.Ordinal);
        var pids = await ReadPidsAsync(pidFile, 2);
        connection.Dispose();
        // The grandchild (and its sleep) ignore SIGTERM: only the SIGKILL after the grace period ends them, so
        // without it they would live on (the disconnect's kill is the only one: a later reason reuses it).
        Assert.True(await WaitDeadAsync(pids), "the TERM-ignoring tree outlived the grace period");
        Assert.True(KilledForTheDisconnect(host), "the kill was not for the disconnect: " + Kills(host));
    }

    [Fact]
    public async Task IdleTimeoutBeforeOutputIs504AndKillsTheProcess()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", new ProcessCommand("sleep", "1000"), o => o.IdleTimeout = TimeSpan.FromMilliseconds(300)));
        using var client = host.CreateClient();
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync("p");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        // Not before the 300 ms (a timer cannot fire early, however loaded the machine); the configured timeout,
        // not the 30 s default, ended it (the upper bound is far from the normal ~0.3 s, half the default).
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), new ProcessOptions().IdleTimeout!.Value / 2);
        Assert.True(host.Logs.Contains(3010));
        Assert.True(KilledFor(host, ProcessKillReason.IdleTimeout));
    }

    [Fact]
    public async Task ProgramThatClosesStdoutButKeepsRunningIsIdle()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash("exec >&-; sleep 1000"), o => o.IdleTimeout = TimeSpan.FromMilliseconds(300)));
        using var client = host.CreateClient();
        using var response = await client.GetAsync("p");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
    }

    [Fact]
    public async Task IdleTimeoutAfterOutputAbortsTheBody()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash("echo hello; sleep 1000"), o => o.IdleTimeout = TimeSpan.FromMilliseconds(300)));
        using var client = host.CreateClient();
        using var response = await client.GetAsync("p", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TotalTimeoutAbortsAChattyProgram()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash("while true; do echo tick; sleep 0.02; done"),
            o => o.TotalTimeout = TimeSpan.FromMilliseconds(500)));
        using var client = host.CreateClient();
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync("p", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsStringAsync());
        // Not before the 500 ms; and the total timeout is what ended it (the program ticks forever and never idles).
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(400), $"aborted after {clock.ElapsedMilliseconds} ms");
        Assert.True(KilledFor(host, ProcessKillReason.TotalTimeout), "the kill was not for the total timeout");
    }

    [Fact]
    public async Task NonZeroExitBeforeOutputIs502NamingTheExitCodeWithoutStderr()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash("echo secret-detail >&2; exit 3")));
        using var client = host.CreateClient();
        using var response = await client.PostAsync("p", Text("x"));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        Assert.Equal(3, json.RootElement.GetProperty("exitCodes")[0].GetInt32());
        Assert.Contains("exit code 3", json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-detail", body, StringComparison.Ordinal);
        Assert.True(host.Logs.Contains(3004));
    }

    [Fact]
    public async Task StderrTailIsInThe502OnlyWhenEnabled()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash("echo the-reason >&2; exit 4"), o => o.IncludeStderrInProblem = true));
        using var client = host.CreateClient();
        using var response = await client.PostAsync("p", Text(""));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("the-reason\n", json.RootElement.GetProperty("stderr").GetString());
    }

    [Fact]
    public async Task NonZeroExitAfterOutputAbortsTheResponse()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash("echo partial; sleep 1; exit 3")));
        using var client = host.CreateClient();
        using var response = await client.GetAsync("p", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MissingProgramIs502()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", new ProcessCommand("no-such-program-here")));
        using var client = host.CreateClient();
        using var response = await client.GetAsync("p");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.True(host.Logs.Contains(3003));
    }

    [Fact]
    public async Task ProgramWithNoOutputAndExitZeroIsAnEmpty200()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", new ProcessCommand("true")));
        using var client = host.CreateClient();
        using var response = await client.PostAsync("p", Text("ignored"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EndpointConcurrencyCapAnswers503WithRetryAfter()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash("echo busy; sleep 1000"), o => { o.MaxConcurrency = 1; o.RetryAfterSeconds = 7; }));
        using var client = host.CreateClient();
        using var first = await client.GetAsync("p", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await client.GetAsync("p");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), second.Headers.RetryAfter?.Delta);
        Assert.True(host.Logs.Contains(3008));
    }

    [Fact]
    public async Task MetricsCountStartsKillsAndRejections()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Diagnostics.StreamingMeter.Name && instrument.Name.StartsWith("aspnetstreaming.process.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        // Other test classes run process endpoints in parallel on meters of the same name: count only this
        // host's (its IMeterFactory is the meter's scope).
        object? scope = null;
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (scope is not null && ReferenceEquals(instrument.Meter.Scope, Volatile.Read(ref scope)))
            {
                seen.AddOrUpdate(instrument.Name, value, (_, old) => old + value);
            }
        });
        listener.Start();
        var host = await StartAsync(app => app.MapProcess("/p", Bash("echo busy; sleep 1000"), o => o.MaxConcurrency = 1));
        Volatile.Write(ref scope, host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var client = host.CreateClient();
        var first = await client.GetAsync("p", HttpCompletionOption.ResponseHeadersRead);
        using var second = await client.GetAsync("p");
        first.Dispose();
        client.Dispose();
        await host.DisposeAsync();
        Assert.Equal(1, seen.GetValueOrDefault("aspnetstreaming.process.started"));
        Assert.Equal(1, seen.GetValueOrDefault("aspnetstreaming.process.rejected"));
        Assert.True(seen.GetValueOrDefault("aspnetstreaming.process.killed") >= 1);
        Assert.Equal(0, seen.GetValueOrDefault("aspnetstreaming.process.active"));
    }

    [Fact]
    public async Task GlobalConcurrencyCapAnswers503()
    {
        await using var host = await StartAsync(app =>
        {
            app.MapProcess("/a", Bash("echo busy; sleep 1000"));
            app.MapProcess("/b", new ProcessCommand("echo", "hi"));
        }, new Dictionary<string, string?> { ["GlobalMaxConcurrency"] = "1" });
        using var client = host.CreateClient();
        using var first = await client.GetAsync("a", HttpCompletionOption.ResponseHeadersRead);
        using var second = await client.GetAsync("b");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
    }

    [Fact]
    public async Task OutputLimitKillsAndAborts()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", new ProcessCommand("yes"), o => o.MaxOutputBytes = 1 << 20));
        using var client = host.CreateClient();
        using var response = await client.GetAsync("p", HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        long total = 0;
        var buffer = new byte[65536];
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                total += read;
            }
        });
        Assert.True(total <= 1 << 20);
    }

    [Fact]
    public async Task EnvironmentHoldsOnlyTheAllowListAndWorkingDirectoryApplies()
    {
        using var temp = new Infrastructure.TempDirectory();
        Environment.SetEnvironmentVariable("ASPNETSTREAMING_TEST_SECRET", "leak");
        Environment.SetEnvironmentVariable("ASPNETSTREAMING_TEST_ALLOWED", "fine");
        await using var host = await StartAsync(app =>
        {
            app.MapProcess("/env", new ProcessCommand("env"), o =>
            {
                o.EnvironmentAllowList.Add("ASPNETSTREAMING_TEST_ALLOWED");
                o.Environment["FIXED"] = "1";
            });
            app.MapProcess("/pwd", new ProcessCommand("pwd"), o => o.WorkingDirectory = temp.Path);
        });
        using var client = host.CreateClient();
        var env = (await client.GetStringAsync("env")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToArray();
        Assert.Equal(["ASPNETSTREAMING_TEST_ALLOWED=fine", "FIXED=1", "PATH=" + ProcessOptions.DefaultPath], env);
        Assert.Equal(temp.Path + "\n", await client.GetStringAsync("pwd"));
    }

    [Fact]
    public async Task BoundArgumentsAreTypedAndValidated()
    {
        await using var host = await StartAsync(app =>
        {
            app.MapProcess("/echo/{word}", new ProcessCommandTemplate("echo", "-n", ProcessArgument.FromRoute<string>("word")));
            app.MapProcess("/seq/{n}", new ProcessCommandTemplate("seq", ProcessArgument.FromRoute<int>("n")));
            app.MapProcess("/q", new ProcessCommandTemplate("echo", "-n", ProcessArgument.FromQuery<string>("v", new ProcessArgumentRules { Pattern = "^[a-z]+$" })));
        });
        using var client = host.CreateClient();
        Assert.Equal("a b;$(x)", await client.GetStringAsync("echo/a%20b%3B%24(x)"));
        Assert.Equal("1\n2\n3\n", await client.GetStringAsync("seq/3"));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("echo/-e")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("seq/abc")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("seq/-1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("q?v=ABC")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("q?v=a&v=b")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("q")).StatusCode);
        Assert.Equal("abc", await client.GetStringAsync("q?v=abc"));
        Assert.True(host.Logs.Contains(3009));
    }

    [Fact]
    public async Task ShutdownKillsRunningTrees()
    {
        using var temp = new Infrastructure.TempDirectory();
        var pidFile = temp["pids"];
        var host = await StartAsync(app => app.MapProcess("/p", Bash("sleep 1000 & echo $$ $! > \"$1\"; echo started; wait", pidFile)));
        using var client = host.CreateClient();
        var response = await client.GetAsync("p", HttpCompletionOption.ResponseHeadersRead);
        var pids = await ReadPidsAsync(pidFile, 2);
        var stopping = host.DisposeAsync().AsTask();
        Assert.True(await WaitDeadAsync(pids), "the tree outlived the shutdown");
        await stopping;
        Assert.True(KilledFor(host, ProcessKillReason.Shutdown), "the kill was not for the shutdown");
        Assert.DoesNotContain(host.Logs.Entries, entry => entry.EventId.Id == 1003); // a stop, not a failure with a stack trace
        response.Dispose();
    }

    [Fact]
    public async Task ResultFactoryRunsAProgramFromAHandler()
    {
        await using var host = await StartAsync(app => app.MapPost("/r", (HttpRequest request) =>
            ProcessResults.Pipeline([new ProcessCommand("sort"), new ProcessCommand("uniq", "-c")])));
        using var client = host.CreateClient();
        using var response = await client.PostAsync("r", Text("b\na\nb\n"));
        Assert.Equal("      1 a\n      2 b\n", await response.Content.ReadAsStringAsync());
    }
}
