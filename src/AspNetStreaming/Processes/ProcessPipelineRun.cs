using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Processes;

/// <summary>
/// A running pipeline of programs, each in its own session and process group, stage <c>i</c>'s stdout copied
/// into stage <c>i+1</c>'s stdin (a bounded copy: when the next program stops reading, its stdin pipe fills and
/// the copy waits, so the previous program blocks on its stdout), every stderr drained into the log. It owns
/// the processes: disposing it kills whatever is left of every tree and reaps the children.
/// </summary>
internal sealed class ProcessPipelineRun : IAsyncDisposable
{
    private static readonly string? SetsidPath = FindExecutable("setsid", System.Environment.GetEnvironmentVariable("PATH"));

    private readonly Process[] _stages;
    private readonly StderrDrain[] _stderr;
    private readonly Task[] _links;
    private readonly MergedOutput? _merged;
    private readonly Task _mergeCopy = Task.CompletedTask;
    private readonly ProcessOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _killGate = new();
    private readonly CancellationTokenSource? _totalTimer;
    private readonly CancellationTokenSource? _idleTimer;
    private readonly ProcessSupervisor? _supervisor;
    private Task? _kill;
    private ProcessKillReason _killReason;
    private Task<ProcessOutcome>? _outcome;
    private int _disposed;

    private ProcessPipelineRun(Process[] stages, IReadOnlyList<ProcessCommand> pipeline, ProcessOptions options, ILogger logger, string description, ProcessSupervisor? supervisor)
    {
        _stages = stages;
        _options = options;
        _logger = logger;
        _supervisor = supervisor;
        Description = description;
        StandardInput = stages[0].StandardInput.BaseStream;
        if (options.MergeStandardError)
        {
            // Sources: the last stage's stdout and every stage's stderr, like `(a | b) 2>&1` in a shell.
            _merged = new MergedOutput(stages.Length + 1, options.ReadSize);
        }

        StandardOutput = _merged?.Reader ?? stages[^1].StandardOutput.BaseStream;
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

        if (options.TotalTimeout is { } total)
        {
            _totalTimer = new CancellationTokenSource(total);
            _totalTimer.Token.UnsafeRegister(static state => ((ProcessPipelineRun)state!).Timeout(ProcessKillReason.TotalTimeout), this);
        }

        if (options.IdleTimeout is not null)
        {
            _idleTimer = new CancellationTokenSource();
            _idleTimer.Token.UnsafeRegister(static state => ((ProcessPipelineRun)state!).Timeout(ProcessKillReason.IdleTimeout), this);
        }
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
    public ProcessKillReason KillReason
    {
        get
        {
            lock (_killGate)
            {
                return _killReason;
            }
        }
    }

    /// <summary>The options the pipeline runs with.</summary>
    public ProcessOptions Options => _options;

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
        workingDirectory ??= options.WorkingDirectory;
        if (workingDirectory is { } directory && !Directory.Exists(directory))
        {
            ProcessLog.StartFailed(logger, description, $"the working directory '{directory}' does not exist");
            throw new ProcessStartException($"The working directory '{directory}' does not exist.");
        }

        var stages = new List<Process>(pipeline.Count);
        try
        {
            foreach (var command in pipeline)
            {
                stages.Add(StartStage(command, options, logger, extraEnvironment, workingDirectory));
            }
        }
        catch
        {
            foreach (var started in stages)
            {
                KillNow(started);
                started.Dispose();
            }

            throw;
        }

        var run = new ProcessPipelineRun([.. stages], pipeline, options, logger, description, supervisor);
        supervisor?.Track(run);
        ProcessLog.Started(logger, description, string.Join(",", run.ProcessIds));
        return run;
    }

    /// <summary>Re-arms the idle timer: call before waiting for output.</summary>
    public void ArmIdleTimer()
    {
        if (_idleTimer is { } timer && _options.IdleTimeout is { } idle)
        {
            try
            {
                timer.CancelAfter(idle);
            }
            catch (ObjectDisposedException)
            {
                // Disposed: the run is over.
            }
        }
    }

    /// <summary>Disarms the idle timer: call when output arrived (the wait for the consumer is not idleness).</summary>
    public void DisarmIdleTimer()
    {
        if (_idleTimer is { } timer)
        {
            try
            {
                timer.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Disposed: the run is over.
            }
        }
    }

    /// <summary>Waits for every stage to exit and says how the pipeline ended.</summary>
    public Task<ProcessOutcome> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        lock (_killGate)
        {
            _outcome ??= WaitAllAsync();
        }

        return _outcome.WaitAsync(cancellationToken);
    }

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
    public Task KillAsync(ProcessKillReason reason)
    {
        lock (_killGate)
        {
            if (_kill is not null)
            {
                return _kill;
            }

            _killReason = reason;
            _kill = KillTreeAsync(reason);
            return _kill;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _totalTimer?.Dispose();
        _idleTimer?.Dispose();
        if (_stages.Any(s => !HasExited(s)) || AnyGroupAlive())
        {
            await KillAsync(ProcessKillReason.Leftover).ConfigureAwait(false);
        }
        else
        {
            Task? kill;
            lock (_killGate)
            {
                kill = _kill;
            }

            if (kill is not null)
            {
                await kill.ConfigureAwait(false);
            }
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

    internal static string? FindExecutable(string name, string? searchPath)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return IsExecutableFile(name) ? Path.GetFullPath(name) : null;
        }

        foreach (var directory in (searchPath ?? ProcessOptions.DefaultPath).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Join(directory, name);
            if (IsExecutableFile(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    internal static bool IsExecutableFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return false;
            }

            return (info.UnixFileMode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    private static Process StartStage(ProcessCommand command, ProcessOptions options, ILogger logger, IReadOnlyDictionary<string, string>? extraEnvironment, string? workingDirectory)
    {
        var info = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };

        // Nothing from the host's environment unless allowed by name.
        info.Environment.Clear();
        foreach (var name in options.EnvironmentAllowList)
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
            {
                info.Environment[name] = value;
            }
        }

        foreach (var (name, value) in options.Environment)
        {
            info.Environment[name] = value;
        }

        if (extraEnvironment is not null)
        {
            foreach (var (name, value) in extraEnvironment)
            {
                info.Environment[name] = value;
            }
        }

        info.Environment.TryGetValue("PATH", out var childPath);
        var program = FindExecutable(command.FileName, childPath);
        if (program is null)
        {
            ProcessLog.StartFailed(logger, command.FileName, "not found or not executable");
            throw new ProcessStartException($"The program '{command.FileName}' was not found or is not executable.");
        }

        // setsid makes the program the leader of a new session and process group (it execs, it does not fork,
        // because our child is not a group leader), so one kill(-pgid) reaches every process it starts.
        if (SetsidPath is not null)
        {
            info.FileName = SetsidPath;
            info.ArgumentList.Add(program);
        }
        else
        {
            info.FileName = program;
        }

        foreach (var argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(info) ?? throw new ProcessStartException($"The program '{program}' could not be started.");
        }
        catch (Win32Exception error)
        {
            ProcessLog.StartFailed(logger, program, error.Message);
            throw new ProcessStartException($"The program '{program}' could not be started: {error.Message}", error);
        }
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

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static void KillNow(Process process)
    {
        try
        {
            if (SetsidPath is not null)
            {
                ProcessGroupSignals.Signal(process.Id, ProcessGroupSignals.SigKill);
            }

            process.Kill(entireProcessTree: true);
            process.WaitForExit(1000);
        }
        catch (Exception error) when (error is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    private void Timeout(ProcessKillReason reason)
    {
        if (_kill is null)
        {
            ProcessLog.TimedOut(_logger, Description, reason);
        }

        _ = KillAsync(reason);
    }

    private bool AnyGroupAlive() => SetsidPath is not null && _stages.Any(s => ProcessGroupSignals.IsAlive(s.Id));

    private async Task KillTreeAsync(ProcessKillReason reason)
    {
        ProcessLog.Killed(_logger, Description, reason);
        _supervisor?.Killed(reason);
        if (SetsidPath is null)
        {
            // No process groups on this machine: the framework walks the tree (SIGKILL at once).
            foreach (var stage in _stages)
            {
                KillNow(stage);
            }

            return;
        }

        foreach (var stage in _stages)
        {
            ProcessGroupSignals.Signal(stage.Id, ProcessGroupSignals.SigTerm);
        }

        var started = Stopwatch.GetTimestamp();
        while (AnyGroupAlive() && Stopwatch.GetElapsedTime(started) < _options.KillGracePeriod)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        foreach (var stage in _stages)
        {
            ProcessGroupSignals.Signal(stage.Id, ProcessGroupSignals.SigKill);
        }

        // Reap our children (the framework waits on them once they exit).
        foreach (var stage in _stages)
        {
            try
            {
                await stage.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Unkillable (stuck in the kernel): nothing more a user-space parent can do.
            }
        }
    }

    private async Task<ProcessOutcome> WaitAllAsync()
    {
        var codes = new int[_stages.Length];
        for (var i = 0; i < _stages.Length; i++)
        {
            await _stages[i].WaitForExitAsync().ConfigureAwait(false);
            codes[i] = _stages[i].ExitCode;
        }

        var outcome = new ProcessOutcome(codes, KillReason, _options.PipeFail);
        ProcessLog.Exited(_logger, Description, string.Join(", ", codes.Select(c => c.ToString(CultureInfo.InvariantCulture))));
        return outcome;
    }
}
