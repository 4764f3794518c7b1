namespace AspNetStreaming.Processes;

/// <summary>A non-waiting concurrency cap: a slot is taken or refused at once (a refused request gets 503 and
/// <c>Retry-After</c> rather than a queue that would hold connections).</summary>
internal sealed class ConcurrencyGate
{
    private int _count;

    /// <summary>Creates a cap of <paramref name="limit"/> slots.</summary>
    public ConcurrencyGate(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Limit = limit;
    }

    /// <summary>The number of slots.</summary>
    public int Limit { get; }

    /// <summary>The slots in use.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Takes a slot if one is free.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _count) <= Limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _count);
        return false;
    }

    /// <summary>Gives a slot back.</summary>
    public void Exit() => Interlocked.Decrement(ref _count);
}
