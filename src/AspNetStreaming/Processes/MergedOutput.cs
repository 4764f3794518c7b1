using System.Buffers;
using System.IO.Pipelines;

namespace AspNetStreaming.Processes;

/// <summary>
/// stdout and stderr merged into one stream, the <c>2&gt;&amp;1</c> of a shell without a shell: each source (the
/// last stage's stdout, every stage's stderr) is read by its own small task, and each chunk it reads goes whole
/// into one bounded <see cref="Pipe"/> under an async lock, so chunks keep their arrival order and are never cut
/// into each other. When the pipe holds <c>bound</c> bytes the writer holding the lock waits for the reader, the
/// other sources wait for the lock after one read each, their OS pipes fill and the programs block: a slow consumer
/// still stops every program, with memory bounded by about two chunks per source plus <c>bound</c>.
/// </summary>
internal sealed class MergedOutput : IDisposable
{
    private readonly Pipe _pipe;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private int _openSources;
    private bool _readerGone;

    public MergedOutput(int sources, int bound)
    {
        _openSources = sources;
        var pause = Math.Max(2, bound);
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: pause, resumeWriterThreshold: pause / 2, useSynchronizationContext: false));
        Reader = _pipe.Reader.AsStream();
    }

    /// <summary>The merged bytes; disposing it tells every source to stop forwarding.</summary>
    public Stream Reader { get; }

    /// <summary>Appends one chunk whole, waiting while the pipe is full.</summary>
    /// <returns><see langword="false"/> once the reader is gone (stop forwarding).</returns>
    public async ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> chunk)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_readerGone)
            {
                return false;
            }

            var result = await _pipe.Writer.WriteAsync(chunk).ConfigureAwait(false);
            _readerGone = result.IsCompleted;
            return !_readerGone;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>One source reached its end; the merged stream ends when every source has.</summary>
    public async ValueTask CompleteSourceAsync()
    {
        if (Interlocked.Decrement(ref _openSources) != 0)
        {
            return;
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Forwards a stream (the last stage's stdout) to its end, then closes it; stops early (closing it, so
    /// the program gets EPIPE as in a shell) once the reader is gone.</summary>
    public async Task CopyAsync(Stream source, int chunkSize)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await source.ReadAsync(buffer.AsMemory(0, chunkSize)).ConfigureAwait(false);
                }
                catch (Exception error) when (error is IOException or ObjectDisposedException or OperationCanceledException)
                {
                    break;
                }

                if (read == 0 || !await WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            try
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception error) when (error is IOException or ObjectDisposedException)
            {
                // Closing a pipe whose writer is gone: nothing left to do.
            }

            await CompleteSourceAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _writeLock.Dispose();
}
