using System.Diagnostics;

namespace AspNetStreaming.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a bounded deadline passes: what a test does instead of sleeping
/// "long enough" for something asynchronous (a log line, a file, a process exit) to happen.</summary>
public static class Eventually
{
    /// <summary>The default deadline: far above what any awaited condition takes even on a loaded 2-core machine
    /// (normally milliseconds), so it is only reached when the condition never holds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    /// <summary>Whether <paramref name="condition"/> held within <paramref name="within"/> (default
    /// <see cref="DefaultTimeout"/>); it is checked once more at the deadline.</summary>
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan? within = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = within ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed >= limit)
            {
                return condition();
            }

            await Task.Delay(Interval);
        }

        return true;
    }

    /// <summary>Fails the test with <paramref name="what"/> (and <paramref name="details"/>, evaluated at the
    /// deadline) unless <paramref name="condition"/> holds within <paramref name="within"/>.</summary>
    public static async Task AssertAsync(Func<bool> condition, string what, TimeSpan? within = null, Func<string>? details = null)
    {
        if (!await TrueAsync(condition, within))
        {
            Assert.Fail(details is null ? what : what + "; " + details());
        }
    }

    /// <summary>The same for a condition that asks something over the network (a store, a server): polled
    /// asynchronously, 50 ms apart.</summary>
    public static async Task AssertAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = within ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed >= limit)
            {
                Assert.True(await condition(), what);
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value, and returns it; throws
    /// <see cref="TimeoutException"/> naming <paramref name="what"/> at the deadline.</summary>
    public static async Task<T> ValueAsync<T>(Func<T?> probe, string what, TimeSpan? within = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        T? value = null;
        if (!await TrueAsync(() => (value = probe()) is not null, within))
        {
            throw new TimeoutException($"Not within {within ?? DefaultTimeout}: {what}.");
        }

        return value!;
    }
}
