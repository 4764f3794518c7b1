using AspNetStreaming.Responses;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AspNetStreaming.Diagnostics;
using AspNetStreaming.Http;
using AspNetStreaming.Producers;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static AspNetStreaming.Tests.Producers.ProducerTestHelpers;

namespace AspNetStreaming.Tests.Http;

/// <summary>The producer result over real Kestrel: framing, HEAD, errors before and after the first byte, aborts.</summary>
public sealed class ProducerResultTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task KnownLength_IsSentWithContentLength()
    {
        var path = _dir.CreateFile("a.bin", 300_000);
        await using var host = await KestrelHost.StartAsync(app => app.MapGet("/f", () => StreamingResults.File(path)));
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/f");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(300_000, response.Content.Headers.ContentLength);
        Assert.Null(response.Headers.TransferEncodingChunked);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(File.ReadAllBytes(path), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task UnknownLength_IsSentChunked()
    {
        await using var host = await KestrelHost.StartAsync(app => app.MapGet("/g", () =>
            StreamingResults.Body(BodyProducers.FromChunks(Chunks(100, "abc")), "text/plain")));
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/g", HttpCompletionOption.ResponseHeadersRead);

        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.Equal(string.Concat(Enumerable.Repeat("abc", 100)), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ContentType_ComesFromTheExtension_AndDownloadNameIsEncoded()
    {
        var path = _dir.CreateFile("page.html", 10);
        await using var host = await KestrelHost.StartAsync(app =>
        {
            app.MapGet("/html", () => StreamingResults.File(path));
            app.MapGet("/download", () => StreamingResults.File(path, fileDownloadName: "résumé 2026.html"));
        });
        using var client = host.CreateClient();

        using var html = await client.GetAsync("/html");
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);

        using var download = await client.GetAsync("/download");
        var disposition = download.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("résumé 2026.html", disposition.FileNameStar);
    }

    [Fact]
    public async Task Head_SendsTheHeadersWithoutReadingTheFile()
    {
        var path = _dir.CreateFile("a.bin", 5000);
        FileBodyProducer? producer = null;
        await using var host = await KestrelHost.StartAsync(app => app.MapMethods("/f", ["GET", "HEAD"], () =>
            StreamingResults.Body(producer = new FileBodyProducer(path), "application/octet-stream")));
        using var client = host.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/f"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5000, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, producer!.BytesProduced);
        Assert.True(producer.IsClosed);
    }

    [Fact]
    public async Task MissingFile_IsA404ProblemDetails_WithALoggedEvent()
    {
        await using var host = await KestrelHost.StartAsync(app => app.MapGet("/f", () => StreamingResults.File(_dir["missing.bin"])));
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/f");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(_dir.Path, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(host.Logs.Contains(StreamingEventIds.FileNotFound.Id));
    }

    [Fact]
    public async Task FailureBeforeTheFirstByte_IsA500ProblemDetails()
    {
        await using var host = await KestrelHost.StartAsync(app => app.MapGet("/g", () =>
            StreamingResults.Body(BodyProducers.FromChunks(FailingAfter(0)), "text/plain")));
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/g");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("simulated", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(host.Logs.Contains(StreamingEventIds.ProducerFailedBeforeBody.Id));
    }

    [Fact]
    public async Task HeadersFirst_CommitsTheHeadersBeforeTheFirstRead_SoAFirstReadFailureAborts()
    {
        // Files and memory ask for headers first (Kestrel then skips a copy of the first chunk); the price is
        // that a failing first read can no longer become a 500. Without the flag the same failure is a 500.
        await using var host = await KestrelHost.StartAsync(app =>
        {
            app.MapGet("/first", (HttpContext c) => ProducerResponse.SendAsync(c, BodyProducers.FromChunks(FailingAfter(0), 1000), "text/plain", headersFirst: true));
            app.MapGet("/late", (HttpContext c) => ProducerResponse.SendAsync(c, BodyProducers.FromChunks(FailingAfter(0), 1000), "text/plain"));
        });
        using var client = host.CreateClient();

        // The committed headers may or may not reach the client before the abort; a clean answer never does.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetByteArrayAsync("/first"));
        Assert.True(host.Logs.Contains(StreamingEventIds.ProducerFailedMidBody.Id));
        Assert.False(host.Logs.Contains(StreamingEventIds.ProducerFailedBeforeBody.Id));

        using var late = await client.GetAsync("/late");
        Assert.Equal(HttpStatusCode.InternalServerError, late.StatusCode);
        Assert.True(host.Logs.Contains(StreamingEventIds.ProducerFailedBeforeBody.Id));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FailureAfterTheFirstByte_AbortsTheConnection_SoTheClientNeverSeesACleanEnd(bool knownLength)
    {
        await using var host = await KestrelHost.StartAsync(app => app.MapGet("/g", () =>
            StreamingResults.Body(BodyProducers.FromChunks(FailingAfter(20), knownLength ? 1_000_000 : null), "text/plain")));
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/g", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => response.Content.ReadAsByteArrayAsync());
        Assert.True(host.Logs.Contains(StreamingEventIds.ProducerFailedMidBody.Id));
    }

    [Fact]
    public async Task StopByTheApplication_MidBody_AbortsTheConnection()
    {
        var path = _dir.CreateFile("a.bin", 64 << 20);
        FileBodyProducer? producer = null;
        await using var host = await KestrelHost.StartAsync(app => app.MapGet("/f", () =>
            StreamingResults.Body(producer = new FileBodyProducer(path), "application/octet-stream")));
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/f", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        await body.ReadExactlyAsync(buffer);
        producer!.Stop();

        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (await body.ReadAsync(buffer) > 0)
            {
            }
        });
        Assert.True(await Eventually.TrueAsync(() => !ProcessHoldsOpen(path)));
        Assert.True(host.Logs.Contains(StreamingEventIds.ProducerStopped.Id));
    }

    [Fact]
    public async Task ClientDisconnectMidBody_StopsTheProducer_AndReleasesTheFileHandle()
    {
        var path = _dir.CreateFile("big.bin", 256 << 20);
        FileBodyProducer? producer = null;
        await using var host = await KestrelHost.StartAsync(app => app.MapGet("/f", () =>
            StreamingResults.Body(producer = new FileBodyProducer(path), "application/octet-stream")));

        // A raw socket, so the disconnect is exactly what a client hanging up does.
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /f HTTP/1.1\r\nHost: x\r\n\r\n"));
            var buffer = new byte[256 * 1024];
            var received = 0;
            while (received < 1 << 20)
            {
                received += await socket.ReceiveAsync(buffer);
            }

            Assert.True(ProcessHoldsOpen(path));
        }

        Assert.True(await Eventually.TrueAsync(() => !ProcessHoldsOpen(path)), "the file is still open after the client left");
        Assert.True(producer!.IsClosed);
        Assert.True(producer.BytesProduced < 256 << 20, "the producer went on after the client left");
        Assert.True(host.Logs.Contains(StreamingEventIds.ClientDisconnected.Id));
    }

    [Fact]
    public async Task OneGiB_ToASlowClient_StreamsWithFlatMemory_AndTheProducerWaitsForTheClient()
    {
        const int readSize = 256 * 1024;
        var path = _dir.CreateFile("1g.bin", 1L << 30);
        FileBodyProducer? producer = null;
        // The server's memory is measured in its own pool (what its pipes hold), never process-wide: other test
        // classes run in parallel and allocate as they please.
        var pools = new CountingMemoryPoolFactory();
        await using var host = await KestrelHost.StartAsync(
            app => app.MapGet("/f", () => StreamingResults.Body(producer = new FileBodyProducer(path, readSize: readSize), "application/octet-stream")),
            pools.Install);
        // The client's socket buffers are fixed, not left to the kernel's autotuning (up to tcp_rmem's 32 MiB on
        // some machines), so the lead below is bounded by what this test set up.
        using var client = SocketBuffers.NewHttpClient(host.BaseAddress);

        using var response = await client.GetAsync("/f", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long received = 0, largestLead = 0, peakHeldDuringStalls = 0;
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var round = 0;
        while (true)
        {
            var n = await body.ReadAsync(buffer);
            if (n == 0)
            {
                break;
            }

            sha.AppendData(buffer, 0, n);
            received += n;
            if (++round % 2048 == 0)
            {
                // The slow part: stall the client, and check the server does not race ahead of it meanwhile.
                await Task.Delay(150);
                largestLead = Math.Max(largestLead, producer!.BytesProduced - received);
                peakHeldDuringStalls = Math.Max(peakHeldDuringStalls, pools.OutstandingBytes);
            }
        }

        Assert.Equal(1L << 30, received);
        Assert.Equal(HashFile(path), sha.GetHashAndReset());
        // What sits between the producer and the client: the server's pipes (bounded below), the server socket's
        // send buffer (at most tcp_wmem's ceiling), the client socket's fixed buffers and HttpClient's own read
        // buffer. Ignoring backpressure would put hundreds of MiB here during the stalls.
        Assert.True(round >= 2048, "the client never stalled");
        var inBetween = (8L << 20) + SocketBuffers.SendCeiling + SocketBuffers.ClientHolds + (1L << 20);
        Assert.InRange(largestLead, 0, inBetween);
        // Flat memory: what the server holds in its pipes (the producer reads straight into the response pipe's
        // memory) stays at Kestrel's response buffer (64 KiB) plus a chunk or two, at any moment of the 1 GiB,
        // not only at the stalls. The lower bound shows the body really went through the counted pool.
        Assert.InRange(pools.PeakOutstandingBytes, readSize, 8L << 20);
        Assert.InRange(peakHeldDuringStalls, 0, 8L << 20);
    }

    private static byte[] HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return System.Security.Cryptography.SHA256.HashData(stream);
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(int count, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        for (var i = 0; i < count; i++)
        {
            yield return bytes;
            await Task.Yield();
        }
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> FailingAfter(int chunks)
    {
        var bytes = new byte[4096];
        for (var i = 0; i < chunks; i++)
        {
            yield return bytes;
            await Task.Yield();
        }

        throw new IOException("simulated failure while producing");
    }
}
