using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace AspNetStreaming.Transport;

/// <summary>
/// A memory pool of fixed-size pinned blocks (pinned because the socket transport hands them to the kernel),
/// keeping a bounded number of free blocks for reuse. Blocks are handed out whole: a pipe that asks for 4 KiB
/// gets the whole block, and Kestrel's receive loop reads as much as the block holds.
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    private readonly ConcurrentQueue<Block> _free = new();
    private readonly int _blockSize;
    private readonly int _maxRetained;
    private int _freeCount;
    private volatile bool _disposed;

    public LargeBlockMemoryPool(int blockSize, int maxRetained)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetained);
        _blockSize = blockSize;
        _maxRetained = maxRetained;
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
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            return block.Lease();
        }

        return new Block(this, _blockSize).Lease();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
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
