using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AspNetStreaming.Http;
using AspNetStreaming.Producers;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AspNetStreaming.Tests.Http;

/// <summary>
/// What a slow or stalled client can pin on the server: the chunk sizes the pump chooses, the leases it takes from
/// its budget and the pool blocks the connection holds, each measured on objects the test owns (its own producer,
/// budget and memory pool), never on process-wide counters.
/// </summary>
public sealed class SlowClientMemoryTests
{
    private const long Big = 1L << 30;
    private const int Small = BodyProducer.SmallChunkSize;

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // no length: sent chunked, and the chunk's framing must fit the small block too
    public async Task AStalledHttp1DownloadKeepsSmallChunksNoLeaseAndAboutOneSmallBlock(bool chunked)
    {
        await using var server = await Server.StartAsync();
        using var client = await StalledHttp1Async(server.Host, $"/body?length={Big}&chunked={chunked}", readBytes: 1024);

        var producer = await server.Bodies.Reader.ReadAsync();
        await WaitUntilStalledAsync(producer);

        // The kernel took a few MiB before the client's window closed: below the growth threshold, so every chunk
        // was a small one and none drew on the budget.
        Assert.InRange(producer.BytesProduced, 256 * 1024, BodyProducer.GrowthThreshold - 1);
        Assert.Equal(chunked ? Small - BodyProducer.ChunkedFramingBytes : Small, producer.LargestChunk);
        Assert.Equal(0, server.Budget.InUse);
        // What the connection holds in the pool while stalled: the small block of the chunk in the pending send (a
        // second one at most, in passing). With whole 64 KiB blocks, or Kestrel's 64 KiB write buffer filled with
        // small blocks, it would be 64 KiB or more.
        Assert.InRange(server.Pool.RentedBytes, Small, 2 * Small);
    }

    [Fact]
    public async Task AStalledProcessResponseHoldsAboutOneSmallBlock()
    {
        await using var server = await Server.StartAsync();
        using var client = await StalledHttp1Async(server.Host, "/process", readBytes: 1024);

        // Stalled once the pool's rented bytes stop moving (the program blocks on its full pipe meanwhile).
        long last = -1;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (var unchanged = 0; unchanged < 5 && DateTime.UtcNow < deadline;)
        {
            var now = server.Pool.RentedBytes;
            unchanged = now == last && now > 0 ? unchanged + 1 : 0;
            last = now;
            await Task.Delay(100);
        }

        // stdout is read into the response's own small blocks: the stalled response holds one, like a file's.
        Assert.InRange(server.Pool.RentedBytes, Small, 2 * Small);
    }

    [Fact]
    public async Task AFastDownloadGrowsItsChunksOnlyPastTheThresholdAndLeasesEachLargeOne()
    {
        await using var server = await Server.StartAsync();
        using var client = server.Host.CreateClient();
        const long length = 48L << 20;

        var bytes = await client.GetByteArrayAsync("/body?length=" + length);
        var producer = await server.Bodies.Reader.ReadAsync();

        Assert.Equal(length, bytes.LongLength);
        Assert.Equal(StreamingResults.DefaultFileReadSize, producer.LargestChunk);
        Assert.InRange(producer.FirstLargeChunkAt, BodyProducer.GrowthThreshold, length);
        // While each large chunk was read its lease was held, and nothing else drew on this budget.
        Assert.Equal(0, producer.LargeChunksWithoutLease);
        Assert.True(await EventuallyAsync(() => server.Budget.InUse == 0), $"{server.Budget.InUse} bytes still leased");
    }

    [Fact]
    public async Task ClientsThatStallAfterAFastStartPinNoMoreThanTheBudgetAndOthersFallBackToSmallChunks()
    {
        await using var server = await Server.StartAsync(budget: 1024 * 1024);
        var stalled = await StalledHttp1Async(server.Host, "/body?length=" + Big, readBytes: 24 << 20);
        var first = await server.Bodies.Reader.ReadAsync();
        await WaitUntilStalledAsync(first);

        // The stalled response grew to 1 MiB chunks and keeps its lease for the chunk it cannot deliver.
        Assert.Equal(1024 * 1024, server.Budget.InUse);

        using var client = server.Host.CreateClient();
        var bytes = await client.GetByteArrayAsync("/body?length=" + (24L << 20));
        var second = await server.Bodies.Reader.ReadAsync();
        Assert.Equal(24L << 20, bytes.LongLength);
        Assert.Equal(Small, second.LargestChunk);

        stalled.Dispose();
        Assert.True(await EventuallyAsync(() => server.Budget.InUse == 0), "the lease outlived the connection");
    }

    [Fact]
    public async Task OnHttp2AStalledStreamHoldsOneSmallChunkWhileAnotherStreamOnTheConnectionFlows()
    {
        await using var server = await Server.StartAsync(http2Only: true);
        using var client = new HttpClient(new SocketsHttpHandler())
        {
            BaseAddress = server.Host.BaseAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var stalledResponse = await client.GetAsync("/body?length=" + Big, HttpCompletionOption.ResponseHeadersRead);
        await using var stalledBody = await stalledResponse.Content.ReadAsStreamAsync();
        await stalledBody.ReadExactlyAsync(new byte[1024]);
        var stalled = await server.Bodies.Reader.ReadAsync();

        var bytes = await client.GetByteArrayAsync("/body?length=" + (32L << 20));
        var flowing = await server.Bodies.Reader.ReadAsync();
        await WaitUntilStalledAsync(stalled);

        Assert.Equal(HttpVersion.Version20, stalledResponse.Version);
        Assert.Equal(32L << 20, bytes.LongLength);
        Assert.Equal(StreamingResults.DefaultFileReadSize, flowing.LargestChunk);
        // The stalled stream got the client's 64 KiB window; its pump wrote at most one small chunk beyond what the
        // stream's pipe (4 KiB threshold) lets through, and holds no lease.
        Assert.Equal(Small, stalled.LargestChunk);
        Assert.InRange(stalled.BytesProduced, 1024, 65535 + 2 * Small);
        Assert.True(await EventuallyAsync(() => server.Budget.InUse == 0), $"{server.Budget.InUse} bytes still leased");
    }

    /// <summary>Waits until the producer has produced something and then nothing more over several polls: its
    /// flush is pending because the client stopped reading.</summary>
    private static async Task WaitUntilStalledAsync(RecordingProducer producer)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        long last = -1;
        var unchanged = 0;
        while (DateTime.UtcNow < deadline && unchanged < 5)
        {
            var now = producer.BytesProduced;
            unchanged = now > 0 && now == last ? unchanged + 1 : 0;
            last = now;
            await Task.Delay(100);
        }

        Assert.True(unchanged >= 5, $"the producer never stalled (at {producer.BytesProduced} bytes)");
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    /// <summary>A raw HTTP/1.1 GET that reads <paramref name="readBytes"/> (head included) and then stops reading.</summary>
    private static async Task<TcpClient> StalledHttp1Async(KestrelHost host, string path, int readBytes)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        for (var left = readBytes; left > 0;)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(left, buffer.Length)));
            Assert.NotEqual(0, n);
            left -= n;
        }

        ArrayPool<byte>.Shared.Return(buffer);
        return client;
    }

    /// <summary>A server whose <c>/body?length=N</c> sends a <see cref="RecordingProducer"/> of N bytes with the
    /// app's budget, on the streaming server buffers, with one pool the test can read.</summary>
    private sealed class Server : IAsyncDisposable
    {
        private Server(KestrelHost host, ChunkBudget budget, LargeBlockMemoryPool pool, System.Threading.Channels.Channel<RecordingProducer> bodies)
        {
            Host = host;
            Budget = budget;
            Pool = pool;
            Bodies = bodies;
        }

        public KestrelHost Host { get; }

        public ChunkBudget Budget { get; }

        public LargeBlockMemoryPool Pool { get; }

        /// <summary>Each response's producer, in the order the requests arrived.</summary>
        public System.Threading.Channels.Channel<RecordingProducer> Bodies { get; }

        public static async Task<Server> StartAsync(long budget = ChunkBudget.DefaultCapacity, bool http2Only = false)
        {
            var pool = new LargeBlockMemoryPool(64 * 1024, maxRetained: 256, evictWhenIdle: false, smallBlockSize: Small);
            var bodies = System.Threading.Channels.Channel.CreateUnbounded<RecordingProducer>();
            var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["T:ChunkBudget"] = budget.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                .Build().GetSection("T");
            var host = await KestrelHost.StartAsync(
                app =>
                {
                    app.MapGet("/body", (long length, bool? chunked, HttpContext context) =>
                    {
                        var producer = new RecordingProducer(length, announceLength: chunked != true);
                        bodies.Writer.TryWrite(producer);
                        return StreamingResults.Body(producer, "application/octet-stream");
                    });
                    // A program with a GiB to say: its stdout is the response.
                    app.MapProcess("/process", new AspNetStreaming.Processes.ProcessCommand("head", "-c", "1073741824", "/dev/zero"), null, ["GET"]);
                },
                builder =>
                {
                    builder.Services.AddStreamingServerBuffers(section);
                    builder.Services.AddStreamingProcesses(new ConfigurationBuilder().Build());
                    builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(new OnePoolFactory(pool));
                }, http2Only ? TestProtocol.H2c : TestProtocol.Http11);
            return new Server(host, host.Services.GetRequiredService<ChunkBudget>(), pool, bodies);
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            Pool.Dispose();
        }
    }

    /// <summary>Hands Kestrel the test's pool for every transport queue.</summary>
    private sealed class OnePoolFactory(LargeBlockMemoryPool pool) : IMemoryPoolFactory<byte>
    {
        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => pool;
    }
}

/// <summary>A body of <c>length</c> generated bytes that records the chunks the pump asked for and whether each
/// large one was covered by a lease of its budget at the time.</summary>
internal sealed class RecordingProducer(long length, bool announceLength = true) : BodyProducer(StreamingResults.DefaultFileReadSize)
{
    private long _position;
    private int _largestChunk;
    private long _firstLargeChunkAt = -1;
    private int _largeWithoutLease;

    public override long? Length => announceLength ? length : null;

    /// <summary>The largest chunk the pump asked for.</summary>
    public int LargestChunk => Volatile.Read(ref _largestChunk);

    /// <summary>The body offset of the first chunk larger than <see cref="BodyProducer.SmallChunkSize"/>; -1 if none.</summary>
    public long FirstLargeChunkAt => Interlocked.Read(ref _firstLargeChunkAt);

    /// <summary>Large chunks read while the budget held less than their size.</summary>
    public int LargeChunksWithoutLease => Volatile.Read(ref _largeWithoutLease);

    protected internal override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var count = (int)Math.Min(destination.Length, length - _position);
        destination.Span[..count].Fill((byte)'s');
        if (destination.Length > SmallChunkSize)
        {
            Interlocked.CompareExchange(ref _firstLargeChunkAt, _position, -1);
            if ((Budget ?? ChunkBudget.Shared).InUse < destination.Length)
            {
                Interlocked.Increment(ref _largeWithoutLease);
            }
        }

        _position += count;
        Volatile.Write(ref _largestChunk, Math.Max(_largestChunk, destination.Length));
        return ValueTask.FromResult(count);
    }
}
