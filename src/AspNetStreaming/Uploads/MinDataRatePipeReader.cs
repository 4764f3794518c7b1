using AspNetStreaming.Transport;
using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>
/// Enforces a minimum request-body data rate where Kestrel will not: on HTTP/2 and HTTP/3 its
/// <c>IHttpMinRequestBodyDataRateFeature</c> accepts only <see langword="null"/>, so without this a client that
/// trickles (or stalls) an upload would hold its slot, its temp file and its stream forever.
/// It counts as Kestrel does: time runs only while a read is waiting for data (not while the application is busy
/// writing what it already has), and once more than the grace period has run, the average rate over that time must
/// stay at or above the minimum. Below it, the pending read is cancelled and fails with the same 408
/// <see cref="BadHttpRequestException"/> that Kestrel raises on HTTP/1.1, so the upload code handles both alike.
/// </summary>
internal sealed class MinDataRatePipeReader : PipeReader, IDisposable
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(250);
    private readonly PipeReader _inner;
    private readonly double _bytesPerSecond;
    private readonly long _graceTicks;
    private readonly ITimer _timer;
    private long _bytesRead;
    private long _waitedTicks;      // Stopwatch ticks spent in reads that had to wait, finished ones only
    private long _waitStartedAt;    // Stopwatch timestamp of the read waiting now, 0 when none is
    private long _unconsumed;       // bytes the caller has seen but not consumed (they are not new on the next read)
    private ReadOnlySequence<byte> _last;
    private volatile bool _tooSlow;

    public MinDataRatePipeReader(PipeReader inner, double bytesPerSecond, TimeSpan gracePeriod, TimeProvider? time = null)
    {
        _inner = inner;
        _bytesPerSecond = bytesPerSecond;
        _graceTicks = (long)(gracePeriod.TotalSeconds * Stopwatch.Frequency);
        _timer = (time ?? TimeProvider.System).CreateTimer(static state => ((MinDataRatePipeReader)state!).Check(), this, CheckInterval, CheckInterval);
    }

    /// <summary>The message Kestrel uses for the same condition on HTTP/1.1.</summary>
    internal const string TooSlowMessage = "Reading the request body timed out due to data arriving too slowly. See MinRequestBodyDataRate.";

    public override bool TryRead(out ReadResult result)
    {
        ThrowIfTooSlow();
        if (!_inner.TryRead(out result))
        {
            return false;
        }

        Received(result);
        return true;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfTooSlow();
        var pending = _inner.ReadAsync(cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            // Data was already buffered: no waiting, so no time is charged to the client.
            var result = pending.Result;
            Received(result);
            return new ValueTask<ReadResult>(result);
        }

        return WaitAsync(pending);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> WaitAsync(ValueTask<ReadResult> pending)
    {
        Volatile.Write(ref _waitStartedAt, Stopwatch.GetTimestamp());
        ReadResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        finally
        {
            var started = Interlocked.Exchange(ref _waitStartedAt, 0);
            Interlocked.Add(ref _waitedTicks, Stopwatch.GetTimestamp() - started);
        }

        if (_tooSlow && result.IsCanceled)
        {
            _inner.AdvanceTo(result.Buffer.Start); // the read this reader cancelled ends here, so none is left open
        }

        ThrowIfTooSlow();
        Received(result);
        return result;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _unconsumed = _last.Slice(consumed).Length;
        _last = default;
        _inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => _inner.CancelPendingRead();

    /// <summary>Completes nothing: the request body belongs to the server, which completes it itself.</summary>
    public override void Complete(Exception? exception = null) => Dispose();

    public void Dispose() => _timer.Dispose();

    private void Received(in ReadResult result)
    {
        _last = result.Buffer;
        Interlocked.Add(ref _bytesRead, Math.Max(0, result.Buffer.Length - _unconsumed));
    }

    private void Check()
    {
        var started = Volatile.Read(ref _waitStartedAt);
        var waited = Volatile.Read(ref _waitedTicks) + (started == 0 ? 0 : Stopwatch.GetTimestamp() - started);
        if (_tooSlow || waited <= _graceTicks)
        {
            return;
        }

        var rate = Interlocked.Read(ref _bytesRead) / ((double)waited / Stopwatch.Frequency);
        if (rate < _bytesPerSecond)
        {
            _tooSlow = true;
            _timer.Dispose();
            ClientBodyPipeReader.CancelQuietly(_inner); // the waiting read returns (canceled) and throws below; a timer callback must never throw
        }
    }

    private void ThrowIfTooSlow()
    {
        if (_tooSlow)
        {
            throw new BadHttpRequestException(TooSlowMessage, StatusCodes.Status408RequestTimeout);
        }
    }
}
