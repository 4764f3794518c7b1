namespace AspNetStreaming.Transport;

/// <summary>
/// The size of the blocks Kestrel receives into and sends from, bound from <c>Streaming:Transport</c>. Kestrel's
/// socket transport reads at most one pool block per receive call and its own pool's blocks are 4 KiB, so a 1 GiB
/// request body costs 262,144 receive calls and pipe flushes. With 64 KiB blocks it costs 16,384, which is what
/// lets uploads and process input run at disk or program speed instead of receive-call speed (see README, Bench).
/// </summary>
public sealed class ServerBufferOptions
{
    /// <summary>The smallest block size: Kestrel's own, below which nothing would be gained.</summary>
    public const int MinBlockSize = 4 * 1024;

    /// <summary>The largest block size accepted.</summary>
    public const int MaxBlockSize = 1024 * 1024;

    /// <summary>Whether the server uses AspNetStreaming's large-block pool instead of Kestrel's 4 KiB one. On by
    /// default when the options are registered; off leaves Kestrel's pool (and its memory-pool metrics) in place.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Bytes per block: the most one receive call reads. 64 KiB by default.</summary>
    public int BlockSize { get; set; } = 64 * 1024;

    /// <summary>Most free large blocks a pool keeps for reuse; blocks returned beyond it are left to the GC.
    /// Kestrel makes one pool per I/O queue (one per core, up to 16), and with the default each keeps at most 2 MiB
    /// of them (32 blocks of 64 KiB): room for the 1 MiB that Kestrel buffers of a fast upload and then some. 32 by
    /// default: 256 let a burst of 1,000 connections leave 40 MiB in the pools (on 2 cores) for no measured gain in
    /// upload or download rate.</summary>
    public int MaxRetainedBlocks { get; set; } = 32;

    /// <summary>Most free small blocks (a body's 8 KiB chunks) a pool keeps for reuse: 1,024 by default, at most
    /// 8 MiB per pool, given back when idle like the large ones. A burst of connections that each start a download
    /// has about one small block per connection in flight at once; with only 32 kept, 1,000 of them allocated
    /// 1.35 GiB of blocks that the GC then promoted and left as fragments, and with 1,024 kept the same burst left
    /// ~8 MiB less server RSS (see README, Slow clients).</summary>
    public int MaxRetainedSmallBlocks { get; set; } = 1024;

    /// <summary>Bytes of a connection's unsent output at which a writer's flush waits (Kestrel's
    /// <c>SocketTransportOptions.MaxWriteBufferSize</c>, 64 KiB by its default). It bounds what a stalled HTTP/1.1
    /// response holds beyond its chunk in flight, so it is set to one small chunk: 8,128 bytes by default, the small
    /// chunk of a body sent chunked (8 KiB less its framing room), so that one such chunk already pauses the writer
    /// (with 8 KiB, a chunked body's first small chunk fell short of it and a stalled one pinned two). A large chunk
    /// makes every flush wait for the send anyway, so fast downloads do not notice.</summary>
    public int MaxWriteBufferSize { get; set; } = Producers.BodyProducer.SmallChunkSize - Producers.BodyProducer.ChunkedFramingBytes;

    /// <summary>Bytes that large body chunks may hold in flight across all responses of the app
    /// (<see cref="Producers.ChunkBudget"/>): 32 MiB by default. Applies even with <see cref="Enabled"/> off.</summary>
    public long ChunkBudget { get; set; } = Producers.ChunkBudget.DefaultCapacity;

    internal static OptionsRules<ServerBufferOptions> Rules { get; } = new("Streaming:Transport", o =>
        o.BlockSize is < MinBlockSize or > MaxBlockSize ? $"BlockSize must be between {MinBlockSize} and {MaxBlockSize} bytes; it is {o.BlockSize}."
        : o.MaxWriteBufferSize is < MinBlockSize or > MaxBlockSize ? $"MaxWriteBufferSize must be between {MinBlockSize} and {MaxBlockSize} bytes; it is {o.MaxWriteBufferSize}."
        : o.ChunkBudget < 0 ? $"ChunkBudget must not be negative; it is {o.ChunkBudget}."
        : o.MaxRetainedBlocks < 0 ? $"MaxRetainedBlocks must not be negative; it is {o.MaxRetainedBlocks}."
        : o.MaxRetainedSmallBlocks < 0 ? $"MaxRetainedSmallBlocks must not be negative; it is {o.MaxRetainedSmallBlocks}."
        : null);
}
