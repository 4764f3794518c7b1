namespace AspNetStreaming.Processes;

/// <summary>The total and idle timeouts of one run. The total timer runs from the start; the idle timer only
/// while the run's reader is armed (waiting for output), so a slow client never counts as an idle program.
/// Either one, when it fires, reports its kill reason.</summary>
internal sealed class ProcessTimeouts : IDisposable
{
    private readonly CancellationTokenSource? _total;
    private readonly CancellationTokenSource? _idle;
    private readonly TimeSpan? _idleTimeout;
    private readonly Action<ProcessKillReason> _expired;

    /// <param name="options">Where <see cref="ProcessOptions.TotalTimeout"/> and <see cref="ProcessOptions.IdleTimeout"/> come from.</param>
    /// <param name="expired">Called (on a timer thread) with the reason of the timer that fired.</param>
    public ProcessTimeouts(ProcessOptions options, Action<ProcessKillReason> expired)
    {
        _expired = expired;
        _idleTimeout = options.IdleTimeout;
        if (options.TotalTimeout is { } total)
        {
            _total = new CancellationTokenSource(total);
            _total.Token.UnsafeRegister(static state => ((ProcessTimeouts)state!)._expired(ProcessKillReason.TotalTimeout), this);
        }

        if (_idleTimeout is not null)
        {
            _idle = new CancellationTokenSource();
            _idle.Token.UnsafeRegister(static state => ((ProcessTimeouts)state!)._expired(ProcessKillReason.IdleTimeout), this);
        }
    }

    /// <summary>Re-arms the idle timer: call before waiting for output.</summary>
    public void ArmIdle()
    {
        if (_idle is { } timer && _idleTimeout is { } idle)
        {
            SetIdle(timer, idle);
        }
    }

    /// <summary>Disarms the idle timer: call when output arrived (the wait for the consumer is not idleness).</summary>
    public void DisarmIdle()
    {
        if (_idle is { } timer)
        {
            SetIdle(timer, Timeout.InfiniteTimeSpan);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _total?.Dispose();
        _idle?.Dispose();
    }

    private static void SetIdle(CancellationTokenSource timer, TimeSpan delay)
    {
        try
        {
            timer.CancelAfter(delay);
        }
        catch (ObjectDisposedException)
        {
            // Disposed: the run is over.
        }
    }
}
