using AspNetStreaming.Processes;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static AspNetStreaming.Tests.Processes.ProcessTestSupport;

namespace AspNetStreaming.Tests.Processes;

/// <summary>An abort is logged and counted as <see cref="ProcessKillReason.Cancelled"/> whichever path reaches
/// the run first. Kestrel makes the order a race; these tests fix each order by hand.</summary>
public sealed class ProcessAbortTests
{
    [Fact]
    public async Task AFailedFlushBeforeRequestAbortedFiresKillsForTheDisconnect()
    {
        // The client is gone: every write fails, but RequestAborted has not fired yet (Kestrel schedules it).
        var logs = new CapturedLogs();
        await using var services = new ServiceCollection().AddLogging(b => b.AddProvider(logs)).BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = HttpMethods.Get;
        context.Features.Set<IHttpResponseFeature>(new StartedResponseFeature());
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(new GoneClientStream()));

        await ProcessResults.Run(Bash("echo started; sleep 1000"), streamRequestBody: false).ExecuteAsync(context);

        Assert.False(context.RequestAborted.IsCancellationRequested);
        Assert.True(KilledFor(logs, ProcessKillReason.Cancelled), "the kill was not for the disconnect: " + Kills(logs));
    }

    [Fact]
    public async Task CancellingCommunicateKillsAsCancelled()
    {
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ProcessRunner.CommunicateAsync(
            Bash("echo started; sleep 1000"), logger: factory.CreateLogger("test"), cancellationToken: cancel.Token));
        Assert.True(KilledFor(logs, ProcessKillReason.Cancelled), "the kill was not for the cancellation: " + Kills(logs));
    }

    /// <summary>A response whose headers went out, so a failed body aborts instead of answering 500.</summary>
    private sealed class StartedResponseFeature : HttpResponseFeature
    {
        public override bool HasStarted => true;
    }

    /// <summary>The socket of a client that has left.</summary>
    private sealed class GoneClientStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("The client left.");

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromException(new IOException("The client left."));

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Task.FromException(new IOException("The client left."));
    }
}
