using System.IO.Pipelines;

namespace AspNetStreaming.Producers;

/// <summary>
/// The one pump behind every producer in this library: it reads chunks from a source straight into
/// <see cref="PipeWriter.GetMemory(int)"/>, flushes after each one and waits while the flush is pending
/// (backpressure) or while the application holds a pause. Derived types only say how to read a chunk and how
/// to close what they own.
/// </summary>
public abstract class BodyProducer : IBodyProducer
{
    /// <summary>The default chunk size: 64 KiB.</summary>
    public const int DefaultReadSize = 64 * 1024;

    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _pauseGate = new();
    private TaskCompletionSource? _resumed;
    private int _pauseCount;
    private int _started;
    private volatile bool _finished;
    private int _closed;
    private Task? _production;
    private long _bytesProduced;

    /// <summary>Creates the pump with a chunk size.</summary>
    /// <param name="readSize">The most bytes read per chunk (and so the most bytes added to the pipe before the
    /// next flush).</param>
    protected BodyProducer(int readSize = DefaultReadSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(readSize);
        ReadSize = readSize;
    }

    /// <inheritdoc />
    public abstract long? Length { get; }

    /// <summary>The most bytes read per chunk.</summary>
    public int ReadSize { get; }

    /// <summary>Whether <see cref="Stop"/> was called.</summary>
    public bool IsStopped => _stop.IsCancellationRequested;

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
    public IDisposable Pause()
    {
        lock (_pauseGate)
        {
            if (_finished)
            {
                return PauseToken.None;
            }

            _pauseCount++;
            _resumed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new PauseToken(this);
        }
    }

    /// <inheritdoc />
    public void Stop()
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
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var token = linked.Token;
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
                var memory = writer.GetMemory(chunk);
                if (memory.Length > chunk)
                {
                    memory = memory[..chunk];
                }

                var read = await ReadAsync(memory, token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                writer.Advance(read);
                Interlocked.Add(ref _bytesProduced, read);
                var flush = await writer.FlushAsync(token).ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    // The consumer is gone: nobody will read what we would produce next.
                    throw new OperationCanceledException("The consumer stopped reading.");
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

    /// <summary>The next chunk's size: <see cref="ReadSize"/>, or less when a known length leaves fewer bytes,
    /// so a small body does not rent a large buffer.</summary>
    private int ChunkSizeFor(long? length)
    {
        if (length is { } total)
        {
            var remaining = total - Interlocked.Read(ref _bytesProduced);
            if (remaining < ReadSize)
            {
                // At least 1: a producer whose length was wrong must still reach its own end-of-data check.
                return (int)Math.Max(1, remaining);
            }
        }

        return ReadSize;
    }

    private async ValueTask WaitWhilePausedAsync(CancellationToken token)
    {
        while (true)
        {
            Task resumed;
            lock (_pauseGate)
            {
                if (_pauseCount == 0 || _resumed is null)
                {
                    return;
                }

                resumed = _resumed.Task;
            }

            await resumed.WaitAsync(token).ConfigureAwait(false);
        }
    }

    private void Resume()
    {
        lock (_pauseGate)
        {
            if (--_pauseCount == 0)
            {
                _resumed?.TrySetResult();
                _resumed = null;
            }
        }
    }

    private async ValueTask CloseOnceAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            await CloseAsync().ConfigureAwait(false);
        }
    }

    private sealed class PauseToken(BodyProducer? owner) : IDisposable
    {
        public static readonly PauseToken None = new(null);
        private BodyProducer? _owner = owner;

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Resume();
    }
}
