using System.Buffers;
using System.Collections.Concurrent;

namespace AspNetStreaming.Transport;

/// <summary>
/// A memory pool of array blocks in two sizes, keeping a bounded number of free blocks of each for reuse. Kestrel rents with its minimum segment size (4 KiB)
/// whenever it wants "a block" (each receive, each header write) and then uses as much as it is given, so those
/// rents get a whole large block and one receive call reads up to 64 KiB. A rent that names a larger size is a
/// writer saying how much it needs (a body producer's chunk): up to the small block size it gets a small block, so
/// a stalled response whose pipe holds one small chunk pins 8 KiB, not 64 KiB. Like Kestrel's own pool it gives
/// memory back when idle: each <see cref="EvictionInterval"/> without a rent of a size releases half its free blocks.
/// Each size keeps its own number of free blocks: a burst of stalled downloads needs many more small ones than large.
/// </summary>
/// <remarks>
/// The blocks are ordinary (movable) arrays, not pinned ones as in Kestrel's own pool. The socket transport needs
/// arrays (it sends several segments as a buffer list), not pinned ones: on Linux a socket call pins its buffer only
/// for the system call, and on Windows the operation pins it while it is pending. Pinned blocks live on the pinned
/// object heap, which is never compacted: after a burst of connections (each start rents a receive block and a block
/// for the response head, both large), the blocks that stalled responses keep hold whole regions of that heap, and the
/// measured cost of 1,000 stalled downloads after a full GC was ~64 KiB each instead of ~40 KiB with movable blocks.
/// </remarks>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    /// <summary>The size Kestrel rents with when it names none of its own (its pipes' minimum segment size).</summary>
    internal const int KestrelRentSize = 4096;

    private readonly SizeClass _large;
    private readonly SizeClass? _small;
    private readonly Timer? _evictionTimer;
    private long _rentedBytes;
    private volatile bool _disposed;

    /// <summary>How often an idle pool releases half its free blocks.</summary>
    public static readonly TimeSpan EvictionInterval = TimeSpan.FromSeconds(10);

    /// <param name="blockSize">Bytes per large block.</param>
    /// <param name="maxRetained">Most free large blocks kept for reuse.</param>
    /// <param name="evictWhenIdle">Whether a timer calls <see cref="EvictIdleBlocks"/> every
    /// <see cref="EvictionInterval"/> (tests call it themselves).</param>
    /// <param name="smallBlockSize">Bytes per small block, for rents above <see cref="KestrelRentSize"/> up to this
    /// size; 0 (or a size not between the two) for large blocks only.</param>
    /// <param name="maxRetainedSmall">Most free small blocks kept for reuse; <see langword="null"/> for
    /// <paramref name="maxRetained"/>.</param>
    public LargeBlockMemoryPool(int blockSize, int maxRetained, bool evictWhenIdle = true, int smallBlockSize = 0, int? maxRetainedSmall = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetained);
        ArgumentOutOfRangeException.ThrowIfNegative(smallBlockSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetainedSmall ?? 0);
        _large = new SizeClass(this, blockSize, maxRetained);
        if (smallBlockSize > KestrelRentSize && smallBlockSize < blockSize)
        {
            _small = new SizeClass(this, smallBlockSize, maxRetainedSmall ?? maxRetained);
        }

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
    public override int MaxBufferSize => _large.Size;

    /// <summary>Bytes per small block; 0 when the pool has large blocks only.</summary>
    public int SmallBlockSize => _small?.Size ?? 0;

    /// <summary>Bytes of the blocks rented and not yet returned: what the server's connections hold right now.</summary>
    public long RentedBytes => Interlocked.Read(ref _rentedBytes);

    /// <summary>Free blocks (of both sizes) kept for reuse.</summary>
    public int RetainedBlocks => _large.FreeCount + (_small?.FreeCount ?? 0);

    /// <inheritdoc />
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, _large.Size);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var sizeClass = _small is { } small && minBufferSize > KestrelRentSize && minBufferSize <= small.Size ? small : _large;
        return sizeClass.Rent();
    }

    /// <summary>Releases half the free blocks (at least one) of each size that was not rented since the last call;
    /// returns how many it released. A busy size keeps its blocks.</summary>
    public int EvictIdleBlocks() => _large.EvictIfIdle() + (_small?.EvictIfIdle() ?? 0);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _evictionTimer?.Dispose();
        _disposed = true;
        _large.Clear();
        _small?.Clear();
    }

    /// <summary>The free blocks of one size.</summary>
    private sealed class SizeClass(LargeBlockMemoryPool pool, int size, int maxRetained)
    {
        private readonly ConcurrentQueue<Block> _free = new();
        private int _freeCount;
        private int _rentsSinceEviction;

        public int Size => size;

        public int FreeCount => Volatile.Read(ref _freeCount);

        public Block Rent()
        {
            Interlocked.Increment(ref _rentsSinceEviction);
            Interlocked.Add(ref pool._rentedBytes, size);
            if (_free.TryDequeue(out var block))
            {
                Interlocked.Decrement(ref _freeCount);
                return block.Lease();
            }

            return new Block(this, size).Lease();
        }

        public int EvictIfIdle()
        {
            if (Interlocked.Exchange(ref _rentsSinceEviction, 0) != 0)
            {
                return 0;
            }

            var released = 0;
            for (var target = (FreeCount + 1) / 2; released < target && _free.TryDequeue(out _); released++)
            {
                Interlocked.Decrement(ref _freeCount);
            }

            return released;
        }

        public void Return(Block block)
        {
            Interlocked.Add(ref pool._rentedBytes, -size);
            // Over the cap (or after disposal) the block is simply dropped: the GC reclaims it.
            if (!pool._disposed && Interlocked.Increment(ref _freeCount) <= maxRetained)
            {
                _free.Enqueue(block);
            }
            else
            {
                Interlocked.Decrement(ref _freeCount);
            }
        }

        public void Clear()
        {
            _free.Clear();
            Volatile.Write(ref _freeCount, 0);
        }
    }

    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly SizeClass _owner;
        private int _leased;

        public Block(SizeClass owner, int size)
        {
            _owner = owner;
            Memory = GC.AllocateUninitializedArray<byte>(size);
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
                _owner.Return(this);
            }
        }
    }
}
