using System.IO.Pipelines;

namespace AspNetStreaming.Producers;

/// <summary>
/// The one pump behind every producer in this library: it reads chunks from a source straight into
/// <see cref="PipeWriter.GetMemory(int)"/>, flushes after each one and waits while the flush is pending
/// (backpressure) or while the application holds a pause. Derived types only say how to read a chunk and how
/// to close what they own.
/// </summary>
/// <remarks>
/// The memory of the chunk in flight stays pinned in the response until the client takes its bytes, so a client
/// that stops reading keeps it for as long as the connection lives. The pump therefore starts every body with
/// <see cref="SmallChunkSize"/> chunks and grows them (doubling per flush, up to <see cref="ReadSize"/>) only once
/// the body has delivered <see cref="GrowthThreshold"/> bytes, more than the kernel's socket buffers take from a
/// client that reads nothing. A chunk larger than the small size is leased from a <see cref="ChunkBudget"/> while it
/// is in flight; when the budget is spent the pump reads small chunks until a lease fits again.
/// </remarks>
public abstract partial class BodyProducer : IBodyProducer
{
    /// <summary>The default chunk size: 64 KiB.</summary>
    public const int DefaultReadSize = 64 * 1024;

    /// <summary>The chunk size every body starts with, and the most a chunk may be without a lease from the
    /// <see cref="Budget"/>: 8 KiB. A stalled response pins about this much (see README, Slow clients: 16 KiB chunks
    /// left ~38 KiB per stalled download after a GC, 8 KiB ones ~30, at the same bulk rate and CPU per GiB).</summary>
    public const int SmallChunkSize = 8 * 1024;

    /// <summary>Bytes a body must have produced before its chunks grow past <see cref="SmallChunkSize"/>: 8 MiB.
    /// Flushes complete at once while the kernel still accepts bytes, and on Linux it accepts about 4 MiB (the
    /// largest send buffer, <c>tcp_wmem</c>) of a client that never reads; a client that takes twice that reads.</summary>
    public const long GrowthThreshold = 8L * 1024 * 1024;

    /// <summary>A body whose rest fits in this many bytes (128 KiB) goes out in one chunk: a 64 KiB range or a small
    /// multipart body costs one read and one flush instead of several small ones (measured: 16 KiB chunks made 64 KiB
    /// ranges 0.86× Results.File instead of 1.3×), and a stalled client can pin no more than the body itself.</summary>
    public const int WholeBodyChunkSize = 128 * 1024;

    /// <summary>Bytes a small chunk of a body without a length leaves for HTTP/1.1 chunk framing (Kestrel adds up to
    /// 12: the size line and the CRLF after the data), so chunk and framing fit one small pool block.</summary>
    internal const int ChunkedFramingBytes = 64;

    private readonly CancellationTokenSource _stop = new();
    private volatile bool _stopRequested;
    private int _started;
    private volatile bool _finished;
    private int _closed;
    private Task? _production;
    private long _bytesProduced;
    private int _chunkTarget;

    /// <summary>Creates the pump with a chunk size.</summary>
    /// <param name="readSize">The most bytes read per chunk (and so the most bytes added to the pipe before the
    /// next flush).</param>
    protected BodyProducer(int readSize = DefaultReadSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(readSize);
        ReadSize = readSize;
        _chunkTarget = Math.Min(readSize, SmallChunkSize);
    }

    /// <inheritdoc />
    public abstract long? Length { get; }

    /// <summary>The most bytes read per chunk.</summary>
    public int ReadSize { get; }

    /// <summary>Where chunks larger than <see cref="SmallChunkSize"/> are leased from; <see langword="null"/> (the
    /// default) for <see cref="ChunkBudget.Shared"/>. Responses sent by this library's results use the app's
    /// registered budget unless one is set here. Read once, when production starts.</summary>
    internal ChunkBudget? Budget { get; set; }

    ChunkBudget? IBodyProducer.Budget
    {
        get => Budget;
        set => Budget = value;
    }

    /// <summary>The small chunk of this body: <see cref="SmallChunkSize"/>, less <see cref="ChunkedFramingBytes"/> for a
    /// body without a length. HTTP/1.1 sends such a body chunked, and Kestrel asks its pipe for room for the chunk's
    /// framing on top of our size: 8 KiB + 12 bytes would take a 64 KiB block.</summary>
    private protected int SmallChunk => Length is null ? SmallChunkSize - ChunkedFramingBytes : SmallChunkSize;

    /// <summary>Whether <see cref="Stop"/> was called.</summary>
    public bool IsStopped => _stopRequested;

    /// <summary>How many bytes have been written into the writer and flushed so far.</summary>
    public long BytesProduced => Interlocked.Read(ref _bytesProduced);

    /// <summary>Whether the owned resources have been closed.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Reads the next bytes of the body into <paramref name="destination"/>.</summary>
    /// <returns>The number of bytes read; 0 only when the body is complete.</returns>
    protected internal abstract ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>Closes what the producer owns. Called exactly once, on every path.</summary>
    protected internal virtual ValueTask CloseAsync() => default;

    /// <inheritdoc />
    public Task ProduceAsync(PipeWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("This producer has already produced its body; a producer runs once.");
        }

        return _production = PumpAsync(writer, cancellationToken);
    }

    /// <inheritdoc />
    public void Stop()
    {
        _stopRequested = true;
        CancelProduction();
    }

    // Ends the pump's waits: a stop by the application, or the caller's token (which leaves IsStopped false).
    private void CancelProduction()
    {
        if (!_stop.IsCancellationRequested)
        {
            try
            {
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Already finished and cleaned up: stopping is a no-op.
            }
        }
    }

    /// <summary>Stops production if it is running, waits for it to unwind and closes the owned resources.</summary>
    public async ValueTask DisposeAsync()
    {
        Stop();
        if (_production is { } production)
        {
            try
            {
                await production.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The producer's outcome belongs to whoever awaited ProduceAsync; disposal only cleans up.
            }
        }

        await CloseOnceAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    private async Task PumpAsync(PipeWriter writer, CancellationToken cancellationToken)
    {
        // The caller's token cancels the producer's own source rather than both being linked into a third: one
        // registration instead of a linked source and two, on every response.
        using var caller = cancellationToken.UnsafeRegister(static producer => ((BodyProducer)producer!).CancelProduction(), this);
        var token = _stop.Token;
        var budget = Budget ?? ChunkBudget.Shared;
        try
        {
            while (true)
            {
                if (Volatile.Read(ref _pauseCount) > 0)
                {
                    await WaitWhilePausedAsync(token).ConfigureAwait(false);
                }

                token.ThrowIfCancellationRequested();
                var chunk = ChunkSizeFor(Length);
                var lease = 0;
                if (chunk > SmallChunkSize)
                {
                    lease = budget.TryLease(chunk, SmallChunkSize);
                    chunk = lease == 0 ? SmallChunkSize : lease;
                }

                if (chunk > SmallChunk && chunk <= SmallChunkSize)
                {
                    chunk = SmallChunk;
                }

                try
                {
                    var memory = writer.GetMemory(chunk);
                    if (memory.Length > chunk)
                    {
                        memory = memory[..chunk];
                    }

                    int read;
                    try
                    {
                        read = await ReadAsync(memory, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException cancelled) when (!token.IsCancellationRequested)
                    {
                        // The source's own cancellation (an HttpClient timing out on the backend it proxies, say), not
                        // the response's stop or the client leaving: a failure of the body, answered and logged as one.
                        throw new IOException("The body's source was cancelled by something other than the response: " + cancelled.Message, cancelled);
                    }

                    if (read == 0)
                    {
                        CheckEndedAtLength();
                        return;
                    }

                    CheckWithinLength(read);

                    writer.Advance(read);
                    Interlocked.Add(ref _bytesProduced, read);
                    var flush = await writer.FlushAsync(token).ConfigureAwait(false);
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        // The consumer is gone: nobody will read what we would produce next.
                        throw new OperationCanceledException("The consumer stopped reading.");
                    }
                }
                finally
                {
                    // The flush completed (the consumer took the chunk), or the response is over: its memory is free.
                    budget.Release(lease);
                }

                if (_chunkTarget < ReadSize && Interlocked.Read(ref _bytesProduced) >= GrowthThreshold)
                {
                    _chunkTarget = (int)Math.Min(ReadSize, 2L * _chunkTarget);
                }
            }
        }
        finally
        {
            lock (_pauseGate)
            {
                _finished = true;
                _resumed?.TrySetResult();
                _resumed = null;
            }

            await CloseOnceAsync().ConfigureAwait(false);
        }
    }

    // The one place the announced Length is enforced, for every source: a body that disagrees with its
    // Content-Length must fault (so the response is aborted), never end short or run on.
    private void CheckEndedAtLength()
    {
        if (Length is { } announced && BytesProduced is var produced && produced < announced)
        {
            throw new EndOfStreamException($"The body ended after {produced} of the {announced} bytes announced (its source was truncated while being read).");
        }
    }

    private void CheckWithinLength(int read)
    {
        if (Length is { } announced && BytesProduced + read > announced)
        {
            throw new InvalidDataException($"The body ran past the {announced} bytes announced.");
        }
    }

    /// <summary>The next chunk's size before the budget has its say: the growing target (at most
    /// <see cref="ReadSize"/>), or less when a known length leaves fewer bytes, so a small body does not rent a
    /// large buffer.</summary>
    private int ChunkSizeFor(long? length)
    {
        if (length is { } total)
        {
            var remaining = total - Interlocked.Read(ref _bytesProduced);
            if (remaining < _chunkTarget || remaining <= Math.Min(WholeBodyChunkSize, ReadSize))
            {
                // At least 1: at the announced end one more read must come back empty (CheckWithinLength).
                return (int)Math.Max(1, remaining);
            }
        }

        return _chunkTarget;
    }

    private async ValueTask CloseOnceAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            await CloseAsync().ConfigureAwait(false);
        }
    }
}
