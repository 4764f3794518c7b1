using Microsoft.AspNetCore.Builder;
using System.Net;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using AspNetStreaming.IO;
using AspNetStreaming.Processes;
using AspNetStreaming.Tests.Infrastructure;
using static AspNetStreaming.Tests.Processes.ProcessTestSupport;

namespace AspNetStreaming.Tests.Processes;

/// <summary>Big bodies through real programs: correctness, concurrency of stdin and stdout, bounded memory.</summary>
public sealed class ProcessStreamingTests
{
    [Fact]
    public async Task OneGibibyteThroughSha256sumMatches()
    {
        await using var host = await StartAsync(app => app.MapProcess("/sha", new ProcessCommand("sha256sum")));
        using var client = host.CreateClient();
        var content = new GeneratedContent(1L << 30);
        using var response = await client.PostAsync("sha", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(Convert.ToHexStringLower(content.Hash!) + "  -\n", text);
    }

    [Fact]
    public async Task CatEchoes256MebibytesWithBoundedMemoryWhileTheClientReadsSlowly()
    {
        const long size = 256L << 20;
        // The server's memory is measured in its own pool (what its pipes hold: the request body on its way to
        // cat's stdin, cat's output on its way to the client), never as the process's working set, which the
        // test classes running in parallel share.
        var pools = new CountingMemoryPoolFactory();
        await using var host = await StartAsync(app => app.MapProcess("/cat", new ProcessCommand("cat")), configure: pools.Install);

        // A raw full-duplex HTTP/1.1 client: it keeps sending the body while it reads the echo (HttpClient
        // sends the whole request body before it reads a response body).
        using var socket = SocketBuffers.NewClientSocket(); // fixed buffers: the in-flight bound below counts them
        await socket.ConnectAsync(host.BaseAddress.Host, host.BaseAddress.Port);
        await using var network = new NetworkStream(socket);
        long sent = 0;
        var block = new byte[1 << 20];
        new Random(7).NextBytes(block);
        using var sentHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sending = Task.Run(async () =>
        {
            await network.WriteAsync(Encoding.ASCII.GetBytes($"POST /cat HTTP/1.1\r\nHost: test\r\nContent-Length: {size}\r\n\r\n"));
            for (long offset = 0; offset < size; offset += block.Length)
            {
                sentHash.AppendData(block);
                await network.WriteAsync(block);
                Interlocked.Add(ref sent, block.Length);
            }
        });

        var reader = PipeReader.Create(network);
        using var stuck = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        Assert.Equal("HTTP/1.1 200 OK", await reader.ReadLineAsync(1000, cancellationToken: stuck.Token));
        var chunked = false;
        while (await reader.ReadLineAsync(1000, cancellationToken: stuck.Token) is { Length: > 0 } header)
        {
            chunked |= header.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase);
        }

        Assert.True(chunked);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        long maxInFlight = 0;
        long peakHeldDuringStalls = 0;
        long nextPause = 16 << 20;
        while (true)
        {
            var sizeLine = await reader.ReadLineAsync(100, cancellationToken: stuck.Token);
            var chunk = Convert.ToInt64(sizeLine, 16);
            if (chunk == 0)
            {
                break;
            }

            while (chunk > 0)
            {
                var result = await reader.ReadAsync(stuck.Token);
                var take = result.Buffer.Slice(0, Math.Min(chunk, result.Buffer.Length));
                foreach (var segment in take)
                {
                    hash.AppendData(segment.Span);
                }

                chunk -= take.Length;
                received += take.Length;
                reader.AdvanceTo(take.End);
            }

            Assert.Equal(string.Empty, await reader.ReadLineAsync(10, cancellationToken: stuck.Token));
            if (received >= nextPause)
            {
                // A slow client: stop reading; the server must stop reading the upload too (backpressure
                // through the response, cat's stdout pipe, cat's stdin pipe and the request body).
                nextPause += 16 << 20;
                await Task.Delay(150);
                maxInFlight = Math.Max(maxInFlight, Interlocked.Read(ref sent) - received);
                peakHeldDuringStalls = Math.Max(peakHeldDuringStalls, pools.OutstandingBytes);
            }
        }

        await sending;
        Assert.Equal(size, received);
        Assert.Equal(sentHash.GetHashAndReset(), hash.GetHashAndReset());
        // In flight: the client socket's fixed buffers, the server socket's (autotuned up to the kernel's
        // ceilings), the server's pipes (bounded below) and cat's two OS pipes (1 MiB each asked for).
        var inFlight = SocketBuffers.ClientHolds + SocketBuffers.ReceiveCeiling + SocketBuffers.SendCeiling + (16L << 20) + (2L * new ProcessOptions().PipeBufferSize) + (1L << 20);
        Assert.InRange(maxInFlight, 1, inFlight);
        // Bounded memory: the server's pipes hold a few chunks at any moment of the 256 MiB (peak over the whole
        // exchange, not only at the stalls); the lower bound shows the traffic really went through the counted pool.
        Assert.InRange(pools.PeakOutstandingBytes, 64 * 1024, 16L << 20);
        Assert.InRange(peakHeldDuringStalls, 0, 16L << 20);
    }

    /// <summary>A request body generated on the fly (a 1 MiB random block repeated), hashed as it is sent.</summary>
    private sealed class GeneratedContent(long length) : HttpContent
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _sent;

        public Task Done => _done.Task;

        public byte[]? Hash { get; private set; }

        public long Sent => Interlocked.Read(ref _sent);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var block = new byte[1 << 20];
            new Random(7).NextBytes(block);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (long offset = 0; offset < length; offset += block.Length)
            {
                var count = (int)Math.Min(block.Length, length - offset);
                hash.AppendData(block, 0, count);
                await stream.WriteAsync(block.AsMemory(0, count));
                Interlocked.Add(ref _sent, count);
            }

            Hash = hash.GetHashAndReset();
            _done.TrySetResult();
        }

        protected override bool TryComputeLength(out long length1)
        {
            length1 = length;
            return true;
        }
    }
}
