namespace AspNetStreaming.IO;

/// <summary>
/// Open read handles kept across requests, keyed by the name a request asked for, each trusted for exactly one request
/// at a time: every lookup <c>stat</c>s the path and hands the handle out only if the file there still has the identity
/// it had when opened (<see cref="FileIdentity"/>: device, inode, length, modification and status-change times).
/// Anything else (a rename over it, an in-place write, a re-pointed link, a removal, a permission change) drops the
/// entry, and the caller resolves and opens afresh, so nothing is ever served stale (unlike a cache trusted for a
/// period). Failures are never cached: only opened files are added.
/// </summary>
/// <remarks>
/// Bounded by entry count (least recently used first out) and by idleness (a timer closes entries unused for the
/// idle timeout). Handles are reference counted: an evicted entry's handle closes when the last response reading
/// it lets go, never under a read.
/// </remarks>
internal sealed partial class OpenFileCache : IDisposable
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new(); // most recently used first
    private readonly Lock _lock = new();
    private readonly int _maxEntries;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private bool _disposed;

    public OpenFileCache(int maxEntries, TimeSpan idleTimeout, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(idleTimeout, TimeSpan.Zero);
        _maxEntries = maxEntries;
        _idleTimeout = idleTimeout;
        _time = time ?? TimeProvider.System;
        // Sweeping at a fraction of the timeout closes an idle entry between 1 and 1.25 timeouts after its last use.
        var period = idleTimeout / 4;
        _sweeper = _time.CreateTimer(static state => ((OpenFileCache)state!).CloseIdle(), this, period, period);
    }

    /// <summary>Lookups answered from the cache, and lookups that found an entry no longer valid; for tests and logs.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <inheritdoc cref="Hits"/>
    public long Invalidations => Interlocked.Read(ref _invalidations);

    private long _hits;
    private long _invalidations;

    /// <summary>Rents the handle cached for <paramref name="key"/> if the file at the entry's path is still the one it
    /// reads. The lease must be disposed when the response is done with it.</summary>
    public Lease? TryRent(string key)
    {
        Entry? entry;
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out entry))
            {
                return null;
            }
        }

        // The stat runs outside the lock (it is the one system call of a hit); the entry is pinned only after it,
        // and only if it is still the cached one.
        var now = FileIdentity.Of(entry.Path);
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var current) || !ReferenceEquals(current, entry))
            {
                return null;
            }

            if (now != entry.Identity)
            {
                Interlocked.Increment(ref _invalidations);
                RemoveLocked(entry);
                return null;
            }

            entry.AddRef();
            entry.LastUsed = _time.GetTimestamp();
            _recency.Remove(entry.Node);
            _recency.AddFirst(entry.Node);
        }

        Interlocked.Increment(ref _hits);
        return new Lease(entry);
    }

    /// <summary>Caches <paramref name="file"/> (just opened from what <paramref name="path"/> names, its handle having
    /// <paramref name="identity"/>) under <paramref name="key"/> and rents it; the cache owns the file from here on. Replaces an entry under the same key
    /// (two requests that missed together) and evicts the least recently used beyond the bound.</summary>
    public Lease Add(string key, string path, AsyncFile file, FileIdentity identity)
    {
        var entry = new Entry(key, path, file, identity) { LastUsed = _time.GetTimestamp() };
        entry.AddRef(); // the lease's reference; the cache holds the first
        lock (_lock)
        {
            if (_disposed)
            {
                entry.Release(); // not cached after all: the lease is the only owner
                return new Lease(entry);
            }

            if (_entries.TryGetValue(key, out var previous))
            {
                RemoveLocked(previous);
            }

            _entries[key] = entry;
            _recency.AddFirst(entry.Node);
            while (_entries.Count > _maxEntries && _recency.Last is { } oldest)
            {
                RemoveLocked(oldest.Value);
            }
        }

        return new Lease(entry);
    }

    /// <summary>Drops <paramref name="lease"/>'s entry if it is still the one cached (the lease stays valid until disposed):
    /// for a check beyond the cache's own that the entry failed.</summary>
    public void Invalidate(Lease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_lock)
        {
            if (_entries.TryGetValue(lease.Entry.Key, out var current) && ReferenceEquals(current, lease.Entry))
            {
                Interlocked.Increment(ref _invalidations);
                RemoveLocked(current);
            }
        }
    }

    /// <summary>Closes every entry (handles being read close when their responses finish) and stops the sweeper.</summary>
    public void Dispose()
    {
        _sweeper.Dispose();
        lock (_lock)
        {
            _disposed = true;
            while (_recency.First is { } node)
            {
                RemoveLocked(node.Value);
            }
        }
    }

    private void CloseIdle()
    {
        var cutoff = _time.GetTimestamp() - (long)(_idleTimeout.TotalSeconds * _time.TimestampFrequency);
        lock (_lock)
        {
            while (_recency.Last is { } oldest && oldest.Value.LastUsed <= cutoff)
            {
                RemoveLocked(oldest.Value);
            }
        }
    }

    private void RemoveLocked(Entry entry)
    {
        _entries.Remove(entry.Key);
        _recency.Remove(entry.Node);
        entry.Release();
    }
}
