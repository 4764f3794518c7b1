using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Processes;

/// <summary>
/// A running pipeline of programs, each in its own session and process group, stage <c>i</c>'s stdout copied
/// into stage <c>i+1</c>'s stdin (a bounded copy: when the next program stops reading, its stdin pipe fills and
/// the copy waits, so the previous program blocks on its stdout), every stderr drained into the log. It owns
/// the processes: disposing it kills whatever is left of every tree and reaps the children. Starting is the
/// <see cref="ProcessLauncher"/>'s job, killing the <see cref="ProcessTreeKiller"/>'s.
/// </summary>
internal sealed class ProcessPipelineRun : IAsyncDisposable
{
    private readonly Process[] _stages;
    private readonly IReadOnlyCollection<int>[] _successExitCodes;
    private readonly StderrDrain[] _stderr;
    private readonly Task[] _links;
    private readonly MergedOutput? _merged;
    private readonly Task _mergeCopy = Task.CompletedTask;
    private readonly ProcessOptions _options;
    private readonly ILogger _logger;
    private readonly ProcessTreeKiller _killer;
    private readonly ProcessTimeouts _timeouts;
    private readonly ProcessSupervisor? _supervisor;
    private readonly Lazy<Task<ProcessOutcome>> _outcome;
    private readonly Stream[] _outputPipes; // the last stage's stdout and every stderr: what AfterKill closes
    private int _disposed;

    private ProcessPipelineRun(Process[] stages, IReadOnlyList<ProcessCommand> pipeline, ProcessOptions options, ILogger logger, string description, ProcessSupervisor? supervisor)
    {
        _stages = stages;
        _successExitCodes = [.. pipeline.Select(command => command.SuccessExitCodes)];
        _options = options;
        _logger = logger;
        _supervisor = supervisor;
        Description = description;
        _killer = new ProcessTreeKiller(stages, options.KillGracePeriod, Killing, AfterKill);
        _outcome = new(WaitAllAsync, LazyThreadSafetyMode.ExecutionAndPublication);
        StandardInput = stages[0].StandardInput.BaseStream;
        if (options.MergeStandardError)
        {
            // Sources: the last stage's stdout and every stage's stderr, like `(a | b) 2>&1` in a shell.
            _merged = new MergedOutput(stages.Length + 1, options.ReadSize);
        }

        StandardOutput = _merged?.Reader ?? stages[^1].StandardOutput.BaseStream;
        _outputPipes = [stages[^1].StandardOutput.BaseStream, .. stages.Select(stage => stage.StandardError.BaseStream)];
        foreach (var stage in stages)
        {
            ProcessGroupSignals.TryGrowPipe(stage.StandardInput.BaseStream, options.PipeBufferSize);
            ProcessGroupSignals.TryGrowPipe(stage.StandardOutput.BaseStream, options.PipeBufferSize);
        }

        _stderr = new StderrDrain[stages.Length];
        for (var i = 0; i < stages.Length; i++)
        {
            _stderr[i] = StderrDrain.Start(stages[i].StandardError.BaseStream, logger, Path.GetFileName(pipeline[i].FileName), stages[i].Id, options, _merged);
        }

        if (_merged is not null)
        {
            _mergeCopy = _merged.CopyAsync(stages[^1].StandardOutput.BaseStream, options.ReadSize);
        }

        _links = new Task[stages.Length - 1];
        for (var i = 0; i < _links.Length; i++)
        {
            _links[i] = LinkAsync(stages[i].StandardOutput.BaseStream, stages[i + 1].StandardInput.BaseStream, options.ReadSize);
        }

        _timeouts = new ProcessTimeouts(options, TimedOut);
    }

    /// <summary>The pipeline as a shell would show it, for logs.</summary>
    public string Description { get; }

    /// <summary>The first stage's stdin. Close it to send end-of-file.</summary>
    public Stream StandardInput { get; }

    /// <summary>The last stage's stdout; with <see cref="ProcessOptions.MergeStandardError"/>, that stdout merged
    /// with every stage's stderr.</summary>
    public Stream StandardOutput { get; }

    /// <summary>The process ids of the stages (each also its process group id).</summary>
    public IReadOnlyList<int> ProcessIds => [.. _stages.Select(s => s.Id)];

    /// <summary>Why the library killed the pipeline, if it did.</summary>
    public ProcessKillReason KillReason => _killer.Reason;

    /// <summary>The options the pipeline runs with.</summary>
    public ProcessOptions Options => _options;

    /// <summary>Why the run is killed when it is disposed while a stage still runs; <see cref="ProcessKillReason.Leftover"/>
    /// when not set. Asked at disposal, so the owner can tell an abort from a choice to stop reading.</summary>
    public Func<ProcessKillReason>? ReasonWhenAbandoned { get; set; }

    /// <summary>Starts every stage, or none: when a stage fails to start, the ones already started are killed.</summary>
    /// <exception cref="ProcessStartException">A program is missing, not executable, or the working directory is bad.</exception>
    public static ProcessPipelineRun Start(IReadOnlyList<ProcessCommand> pipeline, ProcessOptions options, ILogger logger, ProcessSupervisor? supervisor = null, IReadOnlyDictionary<string, string>? extraEnvironment = null, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (pipeline.Count == 0)
        {
            throw new ArgumentException("A pipeline needs at least one command.", nameof(pipeline));
        }

        var description = string.Join(" | ", pipeline);
        var stages = ProcessLauncher.StartAll(pipeline, description, options, logger, extraEnvironment, workingDirectory ?? options.WorkingDirectory);
        ProcessPipelineRun run;
        try
        {
            run = new ProcessPipelineRun(stages, pipeline, options, logger, description, supervisor);
        }
        catch
        {
            // Nothing owns the stages yet (options that passed no validation, memory): they must not outlive the throw.
            foreach (var stage in stages)
            {
                ProcessTreeKiller.KillNow(stage);
                stage.Dispose();
            }

            throw;
        }

        supervisor?.Track(run);
        ProcessLog.Started(logger, description, string.Join(",", run.ProcessIds));
        return run;
    }

    /// <summary>Re-arms the idle timer: call before waiting for output.</summary>
    public void ArmIdleTimer() => _timeouts.ArmIdle();

    /// <summary>Disarms the idle timer: call when output arrived (the wait for the consumer is not idleness).</summary>
    public void DisarmIdleTimer() => _timeouts.DisarmIdle();

    /// <summary>Waits for every stage to exit and says how the pipeline ended.</summary>
    public Task<ProcessOutcome> WaitForExitAsync(CancellationToken cancellationToken = default)
        => _outcome.Value.WaitAsync(cancellationToken);

    /// <summary>The captured end of stderr of every stage (decoded as UTF-8), or <see langword="null"/> when
    /// nothing was captured.</summary>
    public string? GetStderrTail()
    {
        var tail = GetStderrBytes();
        return tail.Length == 0 ? null : System.Text.Encoding.UTF8.GetString(tail);
    }

    /// <summary>The captured stderr bytes of every stage, stage after stage.</summary>
    public byte[] GetStderrBytes() => [.. _stderr.SelectMany(s => s.GetTail())];

    /// <summary>Kills every stage's whole process tree: SIGTERM to each group, then SIGKILL to whatever is left
    /// after <see cref="ProcessOptions.KillGracePeriod"/>; completes when the children are reaped. The first
    /// reason wins; later calls return the same task.</summary>
    public Task KillAsync(ProcessKillReason reason) => _killer.KillAsync(reason);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timeouts.Dispose();

        // A stage still running: the owner stopped before the program ended, and may know why. Otherwise only
        // processes left in the groups are killed, and a kill already under way is waited for (a later reason
        // gets the first kill's task).
        if (_killer.AnyStageRunning)
        {
            await KillAsync(ReasonWhenAbandoned?.Invoke() ?? ProcessKillReason.Leftover).ConfigureAwait(false);
        }
        else if (_killer.HasStarted || _killer.AnyGroupAlive)
        {
            await KillAsync(ProcessKillReason.Leftover).ConfigureAwait(false);
        }

        await CloseQuietlyAsync(StandardInput).ConfigureAwait(false);
        await CloseQuietlyAsync(StandardOutput).ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_links.Append(_mergeCopy).Concat(_stderr.Select(s => s.Completion))).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A pipe held open by a process outside our groups; the streams are closed below anyway.
        }

        foreach (var stage in _stages)
        {
            stage.Dispose();
        }

        _merged?.Dispose();
        _supervisor?.Untrack(this);
    }

    private static async Task LinkAsync(Stream from, Stream to, int bufferSize)
    {
        try
        {
            await from.CopyToAsync(to, bufferSize).ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The next stage closed its stdin (or died): stop feeding it; closing our end of the previous
            // stage's stdout gives that program EPIPE, as in a shell pipeline.
        }
        finally
        {
            await CloseQuietlyAsync(to).ConfigureAwait(false);
            await CloseQuietlyAsync(from).ConfigureAwait(false);
        }
    }

    private static async ValueTask CloseQuietlyAsync(Stream stream)
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
            // Closing a pipe whose reader is gone: nothing left to do.
        }
    }

    private void TimedOut(ProcessKillReason reason)
    {
        if (!_killer.HasStarted)
        {
            ProcessLog.TimedOut(_logger, Description, reason);
        }

        _ = KillAsync(reason);
    }

    // Once the trees are killed, a pipe can still be held open by a process that left them before the snapshot could
    // see it (a daemon whose parent was already gone): its reader would wait for an end that never comes, and the
    // request with it. Our ends of the output pipes are closed a moment after the kill (time for the end the kill
    // itself brings to be read first), so every read ends and the outcome, a kill, decides the answer.
    private void AfterKill() => _ = CloseOutputsSoonAsync();

    private async Task CloseOutputsSoonAsync()
    {
        await Task.Delay(OutputCloseDelay).ConfigureAwait(false);
        foreach (var pipe in _outputPipes)
        {
            await CloseQuietlyAsync(pipe).ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan OutputCloseDelay = TimeSpan.FromMilliseconds(250);

    private void Killing(ProcessKillReason reason)
    {
        ProcessLog.Killed(_logger, Description, reason);
        _supervisor?.Killed(reason);
    }

    private async Task<ProcessOutcome> WaitAllAsync()
    {
        var codes = new int[_stages.Length];
        for (var i = 0; i < _stages.Length; i++)
        {
            await _stages[i].WaitForExitAsync().ConfigureAwait(false);
            codes[i] = _stages[i].ExitCode;
        }

        var outcome = new ProcessOutcome(codes, KillReason, _options.PipeFail, _successExitCodes);
        ProcessLog.Exited(_logger, Description, string.Join(", ", codes.Select(c => c.ToString(CultureInfo.InvariantCulture))));
        return outcome;
    }
}
