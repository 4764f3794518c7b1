using System.Buffers;
using AspNetStreaming.IO;
using AspNetStreaming.Producers;

namespace AspNetStreaming.Processes;

/// <summary>
/// A pipeline's stdout as a response body: the producer pump reads the last stage's stdout straight into the
/// response's memory, so a slow client stops the reads and the full OS pipe then blocks the program. At the end
/// of stdout it waits for every stage and fails (so the response is aborted, never cleanly ended) unless the
/// pipeline succeeded. Enforces the idle timeout (only while waiting for output, not while the client is slow)
/// and the output limit. Disposing it kills whatever is left of the process trees.
/// </summary>
internal sealed class ProcessOutputBodyProducer : BodyProducer
{
    private readonly ProcessPipelineRun _run;
    private readonly long _maxOutputBytes;
    private byte[]? _first;
    private int _firstLength;
    private int _firstOffset;
    private long _outputBytes;

    public ProcessOutputBodyProducer(ProcessPipelineRun run)
        : base(run.Options.ReadSize)
    {
        _run = run;
        _maxOutputBytes = run.Options.MaxOutputBytes ?? long.MaxValue;
    }

    /// <inheritdoc />
    public override long? Length => AnnouncedLength;

    /// <summary>The length the program announced for its output (a CGI script's <c>Content-Length</c>), set before
    /// production: the pump then sends it as the response's length and aborts the response if the output comes up
    /// short or runs past it, so a client never takes a cut-off body for a whole one. <see langword="null"/> (chunked)
    /// otherwise.</summary>
    internal long? AnnouncedLength { get; set; }

    /// <summary>The pipeline.</summary>
    public ProcessPipelineRun Run => _run;

    /// <summary>Whether <see cref="ReadFirstAsync"/> got less than it asked for: the program may have said all it
    /// had and be exiting.</summary>
    internal bool FirstReadWasShort { get; private set; }

    /// <summary>Reads the first chunk of output (kept and produced first) so the caller can choose the status
    /// before any header is sent.</summary>
    /// <returns>Whether there was any output; <see langword="false"/> at end of stdout.</returns>
    public async ValueTask<bool> ReadFirstAsync(CancellationToken cancellationToken)
    {
        if (_first is not null || _firstLength > 0)
        {
            throw new InvalidOperationException("The first chunk was already read.");
        }

        // One small chunk, like the pump's first: it is held until the response has sent it.
        var size = Math.Min(ReadSize, SmallChunk);
        _first = ArrayPool<byte>.Shared.Rent(size);
        _firstLength = await ReadOutputAsync(_first.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
        FirstReadWasShort = _firstLength < size;
        return _firstLength > 0;
    }

    /// <summary>Hands over bytes already read from stdout (a CGI body's start after the header block): they are
    /// produced first. The producer returns <paramref name="rented"/> to the shared pool when closed.</summary>
    internal void SetPrefetched(byte[] rented, int offset, int count)
    {
        if (_first is not null || _firstLength > 0)
        {
            throw new InvalidOperationException("Output was already prefetched.");
        }

        _first = rented;
        _firstOffset = offset;
        _firstLength = offset + count;
    }

    /// <inheritdoc />
    protected internal override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_first is { } first && _firstOffset < _firstLength)
        {
            var count = Math.Min(destination.Length, _firstLength - _firstOffset);
            first.AsSpan(_firstOffset, count).CopyTo(destination.Span);
            _firstOffset += count;
            if (_firstOffset == _firstLength)
            {
                // Sent on: give the buffer back now rather than hold it for the rest of the response.
                _first = null;
                ArrayPool<byte>.Shared.Return(first);
            }

            return count;
        }

        var read = await ReadOutputAsync(destination, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            var outcome = await WaitForOutcomeAsync(cancellationToken).ConfigureAwait(false);
            if (outcome.KillReason == ProcessKillReason.Shutdown)
            {
                // Stopped because the app is stopping: the response ends as stopped (logged as such, the connection
                // aborted), not as a failure with a stack trace. Stop() first, so the pump knows the cancellation is the
                // producer's own stop and not a source failing with one.
                Stop();
                throw new OperationCanceledException($"{_run.Description} was stopped by the shutdown after {_outputBytes} bytes of output.");
            }

            if (!outcome.Succeeded)
            {
                throw new ProcessFailedException($"{_run.Description} failed after {_outputBytes} bytes of output: {outcome.Describe()}.", outcome.ExitCodes, outcome.KillReason, _run.GetStderrTail());
            }
        }

        return read;
    }

    /// <inheritdoc />
    protected internal override async ValueTask CloseAsync()
    {
        if (_first is { } first)
        {
            _first = null;
            ArrayPool<byte>.Shared.Return(first);
        }

        await _run.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Waits for every stage to exit after the end of stdout. The idle timer runs meanwhile: a program
    /// that closed its stdout but keeps running is idle.</summary>
    internal async Task<ProcessOutcome> WaitForOutcomeAsync(CancellationToken cancellationToken)
    {
        _run.ArmIdleTimer();
        try
        {
            return await _run.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _run.DisarmIdleTimer();
        }
    }

    /// <summary>Reads stdout with the idle timer and the output limit applied.</summary>
    internal async ValueTask<int> ReadOutputAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int read;
        _run.ArmIdleTimer();
        try
        {
            read = await _run.StandardOutput.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            // Our end was closed by a kill: report it as the end; the outcome says why.
            read = 0;
        }
        finally
        {
            _run.DisarmIdleTimer();
        }

        if (read > 0 && (_outputBytes += read) > _maxOutputBytes)
        {
            await _run.KillAsync(ProcessKillReason.OutputLimit).ConfigureAwait(false);
            throw new ContentTooLargeException(_maxOutputBytes);
        }

        return read;
    }
}
