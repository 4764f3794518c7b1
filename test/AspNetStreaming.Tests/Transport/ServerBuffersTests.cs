using System.Security.Cryptography;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AspNetStreaming.Tests.Transport;

public sealed class ServerBuffersTests
{
    private const int Body = 8 * 1024 * 1024;

    [Fact]
    public async Task WithTheServerBuffersKestrelReceivesIntoLargeBlocksAndTheBodyArrivesIntact()
    {
        await using var server = await StartAsync(new() { ["BlockSize"] = "65536" });

        var (largest, digest, expected) = await UploadAsync(server);

        Assert.Equal(expected, digest);
        Assert.InRange(largest, 4097, 65536);
        Assert.IsType<LargeBlockMemoryPoolFactory>(server.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
    }

    [Fact]
    public async Task WithoutThemKestrelReceivesIntoItsOwnFourKibBlocks()
    {
        await using var server = await StartAsync(settings: null);

        var (largest, digest, expected) = await UploadAsync(server);

        Assert.Equal(expected, digest);
        Assert.InRange(largest, 1, 4096);
    }

    [Fact]
    public async Task DisabledLeavesKestrelsPoolInPlace()
    {
        await using var server = await StartAsync(new() { ["Enabled"] = "false" });

        var (largest, _, _) = await UploadAsync(server);

        Assert.InRange(largest, 1, 4096);
        Assert.IsNotType<LargeBlockMemoryPoolFactory>(server.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
    }

    [Theory]
    [InlineData("BlockSize", "4095")]
    [InlineData("BlockSize", "2097152")]
    [InlineData("MaxRetainedBlocks", "-1")]
    [InlineData("MaxRetainedSmallBlocks", "-1")]
    [InlineData("MaxWriteBufferSize", "4095")]
    [InlineData("MaxWriteBufferSize", "2097152")]
    [InlineData("ChunkBudget", "-1")]
    public void AnOutOfRangeSettingFailsAtRegistration(string key, string value)
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => services.AddStreamingServerBuffers(Section(new() { [key] = value })));

        Assert.Contains($"Streaming:Transport:{key}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APoolHandsOutWholeBlocksAndReusesReturnedOnes()
    {
        using var pool = new LargeBlockMemoryPool(65536, maxRetained: 4, evictWhenIdle: false);

        var first = pool.Rent(4096);
        var memory = first.Memory;
        first.Dispose();
        first.Dispose(); // a second dispose of one lease must not free the block twice
        var second = pool.Rent();
        var third = pool.Rent();

        Assert.Equal(65536, memory.Length);
        Assert.Equal(65536, pool.MaxBufferSize);
        Assert.True(second.Memory.Equals(memory), "the returned block was not reused");
        Assert.False(third.Memory.Equals(memory), "one block was handed out twice");
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(65537));
    }

    [Fact]
    public void APoolHandsKestrelsOwnRentsALargeBlockAndSizedRentsUpToTheSmallSizeASmallOne()
    {
        using var pool = new LargeBlockMemoryPool(65536, maxRetained: 4, evictWhenIdle: false, smallBlockSize: 16384);

        using var receive = pool.Rent(4096); // what Kestrel asks for each receive and header write
        using var whole = pool.Rent();
        using var chunk = pool.Rent(16384);  // a body producer's small chunk
        using var bigger = pool.Rent(16385);

        Assert.Equal((65536, 65536, 16384, 65536), (receive.Memory.Length, whole.Memory.Length, chunk.Memory.Length, bigger.Memory.Length));
        Assert.Equal(3 * 65536 + 16384, pool.RentedBytes);
        chunk.Dispose();
        Assert.Equal(3 * 65536, pool.RentedBytes);
        Assert.Equal(1, pool.RetainedBlocks);
        Assert.True(pool.Rent(8192).Memory.Length == 16384, "the returned small block was not handed out for a small rent");
    }

    [Fact]
    public void TheServerBuffersBoundTheTransportsWriteBufferAndRegisterTheBudget()
    {
        var services = new ServiceCollection();
        services.AddStreamingServerBuffers(Section(new() { ["MaxWriteBufferSize"] = "32768", ["ChunkBudget"] = "1048576" }));
        using var provider = services.BuildServiceProvider();

        var socket = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions>>().Value;

        Assert.Equal(32768, socket.MaxWriteBufferSize);
        Assert.Equal(1048576, provider.GetRequiredService<AspNetStreaming.Producers.ChunkBudget>().Capacity);
    }

    [Fact]
    public void APoolKeepsNoMoreFreeBlocksThanItsCap()
    {
        using var pool = new LargeBlockMemoryPool(4096, maxRetained: 2, evictWhenIdle: false);
        var leases = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();

        leases.ForEach(lease => lease.Dispose());

        Assert.Equal(2, pool.RetainedBlocks);
    }

    [Fact]
    public void EachSizeKeepsItsOwnNumberOfFreeBlocks()
    {
        using var pool = new LargeBlockMemoryPool(65536, maxRetained: 2, evictWhenIdle: false, smallBlockSize: 8192, maxRetainedSmall: 6);
        var large = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        var small = Enumerable.Range(0, 8).Select(_ => pool.Rent(8192)).ToList();

        large.ForEach(lease => lease.Dispose());
        small.ForEach(lease => lease.Dispose());
        var retained = pool.RetainedBlocks;
        var reused = Enumerable.Range(0, 6).Select(_ => pool.Rent(8192)).ToList();

        Assert.Equal(2 + 6, retained);
        Assert.All(reused, lease => Assert.Contains(small, returned => returned.Memory.Equals(lease.Memory)));
        Assert.Equal(2, pool.RetainedBlocks);
    }

    [Fact]
    public void AnIdlePoolReleasesHalfItsFreeBlocksPerEvictionAndABusyOneNone()
    {
        using var pool = new LargeBlockMemoryPool(4096, maxRetained: 8, evictWhenIdle: false);
        Enumerable.Range(0, 8).Select(_ => pool.Rent()).ToList().ForEach(lease => lease.Dispose());

        var busy = pool.EvictIdleBlocks(); // rents happened since the pool was made
        var first = pool.EvictIdleBlocks();
        var second = pool.EvictIdleBlocks();
        pool.Rent().Dispose();
        var afterARent = pool.EvictIdleBlocks();

        Assert.Equal((0, 4, 2, 0), (busy, first, second, afterARent));
        Assert.Equal(2, pool.RetainedBlocks);
    }

    private static IConfigurationSection Section(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(p => "Streaming:Transport:" + p.Key, p => p.Value))
            .Build().GetSection("Streaming:Transport");

    private static Task<KestrelHost> StartAsync(Dictionary<string, string?>? settings) => KestrelHost.StartAsync(
        app => app.MapPost("/body", async (HttpContext context) =>
        {
            // Report the largest buffer segment the request body arrived in, and its SHA-256.
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var largest = 0;
            while (true)
            {
                var result = await context.Request.BodyReader.ReadAsync();
                foreach (var segment in result.Buffer)
                {
                    largest = Math.Max(largest, segment.Length);
                    hash.AppendData(segment.Span);
                }

                context.Request.BodyReader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            return Results.Text($"{largest} {Convert.ToHexString(hash.GetHashAndReset())}");
        }),
        builder =>
        {
            if (settings is not null)
            {
                builder.Services.AddStreamingServerBuffers(Section(settings));
            }
        });

    private static async Task<(int Largest, string Digest, string Expected)> UploadAsync(KestrelHost server)
    {
        var body = new byte[Body];
        new Random(7).NextBytes(body);
        using var client = server.CreateClient();
        using var content = new ByteArrayContent(body);

        using var response = await client.PostAsync("body", content);

        response.EnsureSuccessStatusCode();
        var parts = (await response.Content.ReadAsStringAsync()).Split(' ');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), parts[1], Convert.ToHexString(SHA256.HashData(body)));
    }
}
