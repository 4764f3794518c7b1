using System.Buffers;
using AspNetStreaming.Producers;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace AspNetStreaming.Transport;

/// <summary>What Kestrel's socket transport makes its memory pools with: a new <see cref="LargeBlockMemoryPool"/> per call.</summary>
internal sealed class LargeBlockMemoryPoolFactory(IOptions<ServerBufferOptions> options) : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? poolOptions = null)
    {
        var value = options.Value;
        return new LargeBlockMemoryPool(value.BlockSize, value.MaxRetainedBlocks, smallBlockSize: BodyProducer.SmallChunkSize,
            maxRetainedSmall: value.MaxRetainedSmallBlocks);
    }
}
