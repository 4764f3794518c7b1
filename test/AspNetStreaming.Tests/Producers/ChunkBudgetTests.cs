using AspNetStreaming.Producers;

namespace AspNetStreaming.Tests.Producers;

public sealed class ChunkBudgetTests
{
    [Fact]
    public void LeasesWhatFitsHalvingDownToTheFloorAndReleasesGiveItBack()
    {
        var budget = new ChunkBudget(capacity: 1536 * 1024);

        var first = budget.TryLease(1024 * 1024, floor: 16 * 1024);
        var second = budget.TryLease(1024 * 1024, floor: 16 * 1024); // 512 KiB is what is left
        var third = budget.TryLease(1024 * 1024, floor: 16 * 1024);  // nothing above the floor fits
        var inUse = budget.InUse;
        budget.Release(first);
        budget.Release(second);

        Assert.Equal((1024 * 1024, 512 * 1024, 0), (first, second, third));
        Assert.Equal(1536 * 1024, inUse);
        Assert.Equal(0, budget.InUse);
    }

    [Fact]
    public void ConcurrentLeasesNeverExceedTheCapacity()
    {
        var budget = new ChunkBudget(capacity: 4 * 1024 * 1024);
        long peak = 0;

        Parallel.For(0, 20_000, _ =>
        {
            var lease = budget.TryLease(1024 * 1024, floor: 16 * 1024);
            var now = budget.InUse;
            long seen;
            while (now > (seen = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
            {
            }

            budget.Release(lease);
        });

        Assert.InRange(peak, 32 * 1024, 4 * 1024 * 1024);
        Assert.Equal(0, budget.InUse);
    }

    [Fact]
    public void ANegativeCapacityIsRefused() => Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkBudget(-1));
}
