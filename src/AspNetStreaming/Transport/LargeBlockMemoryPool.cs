using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace AspNetStreaming.Transport;

/// <summary>
/// A memory pool of fixed-size pinned blocks (pinned because the socket transport hands them to the kernel),
/// keeping a bounded number of free blocks for reuse. Blocks are handed out whole: a pipe that asks for 4 KiB
/// gets the whole block, and Kestrel's receive loop reads as much as the block holds. Like Kestrel's own pool it
/// gives memory back when idle: each <see cref="EvictionInterval"/> without a rent releases half the free blocks.
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    private readonly ConcurrentQueue<Block> _free = new();
    private readonly int _blockSize;
    private readonly int _maxRetained;
    private readonly Timer? _evictionTimer;
    private int _freeCount;
    private int _rentsSinceEviction;
    private volatile bool _disposed;

    /// <summary>How often an idle pool releases half its free blocks.</summary>
    public static readonly TimeSpan EvictionInterval = TimeSpan.FromSeconds(10);

    /// <param name="blockSize">Bytes per block.</param>
    /// <param name="maxRetained">Most free blocks kept for reuse.</param>
    /// <param name="evictWhenIdle">Whether a timer calls <see cref="EvictIdleBlocks"/> every
    /// <see cref="EvictionInterval"/> (tests call it themselves).</param>
    public LargeBlockMemoryPool(int blockSize, int maxRetained, bool evictWhenIdle = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetained);
        _blockSize = blockSize;
        _maxRetained = maxRetained;
        if (evictWhenIdle)
        {
            // The timer holds the pool only weakly through its state, so an undisposed pool can still be collected.
            _evictionTimer = new Timer(static state =>
            {
                if (((WeakReference<LargeBlockMemoryPool>)state!).TryGetTarget(out var pool))
                {
                    pool.EvictIdleBlocks();
                }
            }, new WeakReference<LargeBlockMemoryPool>(this), EvictionInterval, EvictionInterval);
        }
    }

    /// <inheritdoc />
    public override int MaxBufferSize => _blockSize;

    /// <summary>Free blocks kept for reuse.</summary>
    public int RetainedBlocks => Volatile.Read(ref _freeCount);

    /// <inheritdoc />
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, _blockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Increment(ref _rentsSinceEviction);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            return block.Lease();
        }

        return new Block(this, _blockSize).Lease();
    }

    /// <summary>Releases half the free blocks (at least one) to the GC when nothing was rented since the last call;
    /// returns how many it released. A busy pool keeps its blocks.</summary>
    public int EvictIdleBlocks()
    {
        if (Interlocked.Exchange(ref _rentsSinceEviction, 0) != 0)
        {
            return 0;
        }

        var released = 0;
        for (var target = (RetainedBlocks + 1) / 2; released < target && _free.TryDequeue(out _); released++)
        {
            Interlocked.Decrement(ref _freeCount);
        }

        return released;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _evictionTimer?.Dispose();
        _disposed = true;
        _free.Clear();
        Volatile.Write(ref _freeCount, 0);
    }

    private void Return(Block block)
    {
        // Over the cap (or after disposal) the block is simply dropped: the GC reclaims it.
        if (!_disposed && Interlocked.Increment(ref _freeCount) <= _maxRetained)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly LargeBlockMemoryPool _pool;
        private int _leased;

        public Block(LargeBlockMemoryPool pool, int size)
        {
            _pool = pool;
            Memory = MemoryMarshal.CreateFromPinnedArray(GC.AllocateUninitializedArray<byte>(size, pinned: true), 0, size);
        }

        public Memory<byte> Memory { get; }

        public Block Lease()
        {
            Volatile.Write(ref _leased, 1);
            return this;
        }

        // A second Dispose of one lease must not put the block in the free list twice.
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _leased, 0) == 1)
            {
                _pool.Return(this);
            }
        }
    }
}
