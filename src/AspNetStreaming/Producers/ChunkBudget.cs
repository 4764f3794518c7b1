namespace AspNetStreaming.Producers;

/// <summary>
/// A shared allowance for the memory that large body chunks hold while in flight. A pump reads a chunk into the
/// response's memory and that memory stays pinned until the client has taken the bytes: a stalled client keeps its
/// last chunk forever. Chunks up to <see cref="BodyProducer.SmallChunkSize"/> are free; a larger one is leased
/// from the budget for as long as it is in flight (from the read until its flush completes), and when the budget
/// is spent the pump falls back to small chunks. So however many clients stall after a fast start, large chunks
/// pin at most <see cref="Capacity"/> bytes between them. Leases never allocate.
/// </summary>
internal sealed class ChunkBudget
{
    /// <summary>The default capacity: 32 MiB, room for 32 one-MiB chunks in flight.</summary>
    public const long DefaultCapacity = 32L * 1024 * 1024;

    private long _inUse;

    /// <summary>Creates a budget of <paramref name="capacity"/> bytes (0 forbids large chunks).</summary>
    public ChunkBudget(long capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>The budget producers use unless told otherwise (<see cref="BodyProducer.Budget"/>; responses sent
    /// by an app that called <c>AddAspNetStreaming</c> use the one bound from <c>Streaming:Transport</c>).</summary>
    public static ChunkBudget Shared { get; } = new();

    /// <summary>The most bytes leased at once.</summary>
    public long Capacity { get; }

    /// <summary>The bytes leased now.</summary>
    public long InUse => Interlocked.Read(ref _inUse);

    /// <summary>Leases <paramref name="size"/> bytes, or the largest power-of-two fraction of it that is still above
    /// <paramref name="floor"/> and fits; returns the bytes leased, 0 when not even that fits.</summary>
    internal int TryLease(int size, int floor)
    {
        for (var want = size; want > floor; want /= 2)
        {
            var current = Interlocked.Read(ref _inUse);
            while (current + want <= Capacity)
            {
                var seen = Interlocked.CompareExchange(ref _inUse, current + want, current);
                if (seen == current)
                {
                    return want;
                }

                current = seen;
            }
        }

        return 0;
    }

    /// <summary>Gives back a lease.</summary>
    internal void Release(int size)
    {
        if (size > 0)
        {
            Interlocked.Add(ref _inUse, -size);
        }
    }
}
