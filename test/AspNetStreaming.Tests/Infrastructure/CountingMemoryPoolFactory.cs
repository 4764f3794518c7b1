using System.Buffers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace AspNetStreaming.Tests.Infrastructure;

/// <summary>
/// The memory pool factory of ONE test host, counting the bytes the server holds in its pools (rented and not
/// yet returned): the request and response pipes of its connections, and the chunks a producer reads into
/// (it reads straight into the response pipe's memory). Unlike <see cref="GC.GetTotalMemory(bool)"/> or the
/// process's working set, it sees nothing of the other test classes running in parallel.
/// </summary>
/// <remarks>Blocks come from <see cref="ArrayPool{T}.Shared"/>. <see cref="MaxBufferSize"/> is large (Kestrel's
/// own pool stops at 4 KiB) so that a pipe asked for a big chunk rents it here instead of going around the pool,
/// and so every byte a pipe holds is counted.</remarks>
public sealed class CountingMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    /// <summary>The largest block the pools hand out.</summary>
    public const int MaxBufferSize = 1024 * 1024;

    private long _outstanding;
    private long _peak;
    private long _rents;

    /// <summary>Bytes rented from this host's pools and not returned yet.</summary>
    public long OutstandingBytes => Interlocked.Read(ref _outstanding);

    /// <summary>The most bytes ever outstanding at once.</summary>
    public long PeakOutstandingBytes => Interlocked.Read(ref _peak);

    /// <summary>How many blocks were rented (a check that the server's traffic went through this pool at all).</summary>
    public long Rents => Interlocked.Read(ref _rents);

    /// <summary>Makes <paramref name="builder"/>'s Kestrel use this factory (call from a host's configure step).</summary>
    public void Install(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(this);
    }

    /// <inheritdoc />
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new Pool(this);

    private void Rented(int length)
    {
        Interlocked.Increment(ref _rents);
        var now = Interlocked.Add(ref _outstanding, length);
        var peak = Interlocked.Read(ref _peak);
        while (now > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peak, now, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }
    }

    private void Returned(int length) => Interlocked.Add(ref _outstanding, -length);

    private sealed class Pool(CountingMemoryPoolFactory owner) : MemoryPool<byte>
    {
        public override int MaxBufferSize => CountingMemoryPoolFactory.MaxBufferSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, MaxBufferSize);
            return new Block(owner, ArrayPool<byte>.Shared.Rent(minBufferSize <= 0 ? 4096 : minBufferSize));
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly CountingMemoryPoolFactory _owner;
        private byte[]? _array;

        public Block(CountingMemoryPoolFactory owner, byte[] array)
        {
            _owner = owner;
            _array = array;
            Memory = array;
            owner.Rented(array.Length);
        }

        public Memory<byte> Memory { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } array)
            {
                _owner.Returned(array.Length);
                ArrayPool<byte>.Shared.Return(array);
            }
        }
    }
}
