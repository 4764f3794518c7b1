using System.Net;
using AspNetStreaming.Diagnostics;
using AspNetStreaming.Http;
using AspNetStreaming.Producers;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Tests.Protocols;

/// <summary>
/// What a stream's end means on each protocol: a client too slow, a client that cancels (RST_STREAM on HTTP/2, a
/// closed connection on HTTP/1.1), a stalled reader beside busy streams on one HTTP/2 connection. Whatever the
/// protocol, the server stops, closes what it opened and leaves no temporary file.
/// </summary>
public sealed class StreamLifecycleTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task AnUploadUnderTheMinimumDataRate_IsCutOff_AndLeavesNoFile(TestProtocol protocol)
    {
        await using var server = await UploadServer.StartAsync(_temp.Path, new()
        {
            ["MinDataRate"] = "100000",
            ["MinDataRateGracePeriod"] = "00:00:01.500",
        }, protocol: protocol);
        using var client = server.Host.CreateClient();
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var content = new StallingContent(4096, length: 10_000_000);

        var sending = client.PutAsync("/u/slow.bin", content, giveUp.Token);

        await server.WaitUntilLoggedAsync(() => server.Host.Logs.Entries.Any(e => e.EventId.Id == StreamingEventIds.UploadAborted.Id
            && e.Message.Contains("too slowly", StringComparison.Ordinal)), "the slow upload was cut off (4003, too slowly)");
        if (protocol.IsHttp2())
        {
            // HTTP/2 keeps the connection: the client gets the 408 on its stream.
            using var response = await sending;
            Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        else
        {
            // HttpClient reads no HTTP/1.1 response before its body is sent, so it cannot see the 408; stop it.
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => sending);
        }

        await Eventually.AssertAsync(() => server.TempFiles().Length == 0 && server.Files().Length == 0, "no temporary or stored file is left");
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task AnUploadTheClientCancels_RemovesItsTemporaryFile(TestProtocol protocol)
    {
        await using var server = await UploadServer.StartAsync(_temp.Path, protocol: protocol);
        using var client = server.Host.CreateClient();
        using var cancel = new CancellationTokenSource();
        var content = new StallingContent(1 << 20, length: 100_000_000);
        var sending = client.PutAsync("/u/cancelled.bin", content, cancel.Token);
        await Eventually.AssertAsync(() => server.TempFiles().Any(f => new FileInfo(f).Length > 0), "the upload started writing");

        await cancel.CancelAsync(); // HTTP/2: RST_STREAM (CANCEL); HTTP/1.1: the connection is closed

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        await server.WaitUntilLoggedAsync(() => server.Host.Logs.Contains(StreamingEventIds.UploadAborted.Id), "the cancelled upload was logged (4003)");
        await Eventually.AssertAsync(() => server.TempFiles().Length == 0, "the temporary file is removed");
        Assert.Empty(server.Files());
        Assert.DoesNotContain(server.Host.Logs.Entries, entry => entry.Level >= Microsoft.Extensions.Logging.LogLevel.Error); // nothing thrown out of an abort callback
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task ADownloadTheClientCancels_StopsTheProducer_AndClosesTheFile(TestProtocol protocol)
    {
        var path = _temp.CreateFile("big.bin", 64L << 20);
        FileBodyProducer? producer = null;
        await using var host = await KestrelHost.StartAsync(app => app.MapGet("/big", () =>
            StreamingResults.Body(producer = new FileBodyProducer(path), "application/octet-stream")), protocol: protocol);
        using var client = host.CreateClient();
        using var cancel = new CancellationTokenSource();

        using (var response = await client.GetAsync("/big", HttpCompletionOption.ResponseHeadersRead, cancel.Token))
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancel.Token);
            await body.ReadExactlyAsync(new byte[64 * 1024], cancel.Token);
            await cancel.CancelAsync();
        }

        await Eventually.AssertAsync(() => producer!.IsClosed, "the producer closed its file");
        Assert.True(producer!.BytesProduced < 32L << 20, "the producer went on after the client left");
        await Eventually.AssertAsync(() => host.Logs.Contains(StreamingEventIds.ClientDisconnected.Id), "the disconnect was logged");
    }

    [Theory]
    [MemberData(nameof(TestProtocols.Http2), MemberType = typeof(TestProtocols))]
    public async Task AStalledStream_HoldsABoundedLead_WhileOtherStreamsOnItsConnectionFlow(TestProtocol protocol)
    {
        var big = _temp.CreateFile("big.bin", 64L << 20);
        var small = _temp.CreateFile("small.bin", 200_000, seed: 9);
        FileBodyProducer? producer = null;
        string? stalledConnection = null;
        var connections = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using var host = await KestrelHost.StartAsync(app =>
        {
            app.MapGet("/big", (HttpContext context) =>
            {
                stalledConnection = context.Connection.Id;
                return StreamingResults.Body(producer = new FileBodyProducer(big), "application/octet-stream");
            });
            app.MapGet("/small", (HttpContext context) =>
            {
                connections.Add(context.Connection.Id);
                return StreamingResults.File(small);
            });
        }, protocol: protocol);
        using var client = host.CreateClient(); // one HTTP/2 connection for every request
        using var stalled = await client.GetAsync("/big", HttpCompletionOption.ResponseHeadersRead);
        await using var stalledBody = await stalled.Content.ReadAsStreamAsync();
        await stalledBody.ReadExactlyAsync(new byte[1024]);

        var expected = await File.ReadAllBytesAsync(small);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(expected, await client.GetByteArrayAsync("/small"));
        }

        Assert.All(connections, id => Assert.Equal(stalledConnection, id));
        // Wait until the stalled stream's producer is itself waiting (its lead no longer grows), then bound the lead:
        // the client's stream window, Kestrel's response buffer and one chunk, never the file.
        long lead = -1;
        await Eventually.AssertAsync(() =>
        {
            var now = producer!.BytesProduced - 1024;
            var settled = now == lead;
            lead = now;
            return settled;
        }, "the stalled producer stopped producing");
        Assert.InRange(lead, 0, 4L << 20);
    }

    /// <summary>A request body that sends <paramref name="first"/> bytes and then nothing until the request is
    /// cancelled (a client that stalls or trickles).</summary>
    private sealed class StallingContent(int first, long length) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(new byte[first], cancellationToken);
            await stream.FlushAsync(cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override bool TryComputeLength(out long length1)
        {
            length1 = length;
            return true;
        }
    }
}
