namespace AspNetStreaming.Producers;

// Pausing: the application's pause tokens. The pump checks the count before each chunk and waits while it is
// above zero; the last token disposed (or the end of production) lets it go on.
public abstract partial class BodyProducer
{
    private readonly Lock _pauseGate = new();
    private TaskCompletionSource? _resumed;
    private int _pauseCount;

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

    private sealed class PauseToken(BodyProducer? owner) : IDisposable
    {
        public static readonly PauseToken None = new(null);
        private BodyProducer? _owner = owner;

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Resume();
    }
}
