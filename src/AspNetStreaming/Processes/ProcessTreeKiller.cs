using System.ComponentModel;
using System.Diagnostics;

namespace AspNetStreaming.Processes;

/// <summary>
/// Kills the process trees of a pipeline's stages, once: SIGTERM to every stage's process group, SIGKILL to
/// whatever is left after the grace period, then reaps the children. The first reason given is the one that
/// counts; every later call gets the same kill.
/// </summary>
/// <param name="stages">The stages; each leads its own process group when <see cref="ProcessLauncher.UsesProcessGroups"/>.</param>
/// <param name="gracePeriod">How long SIGTERM has before SIGKILL.</param>
/// <param name="killing">Told the reason as the kill starts (for the log and the metrics).</param>
/// <param name="killed">Called once the kill is over (the children reaped), before its task completes.</param>
internal sealed class ProcessTreeKiller(IReadOnlyList<Process> stages, TimeSpan gracePeriod, Action<ProcessKillReason> killing, Action? killed = null)
{
    private readonly Lock _gate = new();
    private Task? _kill;
    private ProcessKillReason _reason;

    /// <summary>Why the trees were killed, or <see cref="ProcessKillReason.None"/>.</summary>
    public ProcessKillReason Reason
    {
        get
        {
            lock (_gate)
            {
                return _reason;
            }
        }
    }

    /// <summary>Whether a kill has started.</summary>
    public bool HasStarted
    {
        get
        {
            lock (_gate)
            {
                return _kill is not null;
            }
        }
    }

    /// <summary>Whether a stage has not exited yet.</summary>
    public bool AnyStageRunning => stages.Any(s => !HasExited(s));

    /// <summary>Whether any process (a stage, a grandchild, a zombie) is left in the stages' groups.</summary>
    public bool AnyGroupAlive => ProcessLauncher.UsesProcessGroups && stages.Any(s => ProcessGroupSignals.IsAlive(s.Id));

    /// <summary>Kills every stage's tree; completes when the children are reaped. The first reason wins.</summary>
    public Task KillAsync(ProcessKillReason reason)
    {
        lock (_gate)
        {
            if (_kill is not null)
            {
                return _kill;
            }

            _reason = reason;
            _kill = KillTreesAsync(reason);
            return _kill;
        }
    }

    /// <summary>SIGKILL at once to a stage's group and tree, for a pipeline that could not be started whole.</summary>
    public static void KillNow(Process process)
    {
        try
        {
            if (ProcessLauncher.UsesProcessGroups)
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

    private async Task KillTreesAsync(ProcessKillReason reason)
    {
        try
        {
            await KillAndReapAsync(reason).ConfigureAwait(false);
        }
        finally
        {
            killed?.Invoke();
        }
    }

    private async Task KillAndReapAsync(ProcessKillReason reason)
    {
        killing(reason);
        if (!ProcessLauncher.UsesProcessGroups)
        {
            // No process groups on this machine: the framework walks the tree (SIGKILL at once).
            foreach (var stage in stages)
            {
                KillNow(stage);
            }

            return;
        }

        // Taken before the first signal: a descendant that left its stage's group (setsid, a daemon's double fork)
        // is reached only through its parent, which the SIGTERM may take away.
        var escaped = ProcessDescendants.Snapshot(stages.Where(stage => !HasExited(stage)).Select(stage => stage.Id));
        foreach (var stage in stages)
        {
            ProcessGroupSignals.Signal(stage.Id, ProcessGroupSignals.SigTerm);
        }

        escaped.Signal(ProcessGroupSignals.SigTerm);
        var started = Stopwatch.GetTimestamp();
        while ((AnyGroupAlive || escaped.AnyAlive) && Stopwatch.GetElapsedTime(started) < gracePeriod)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        foreach (var stage in stages)
        {
            ProcessGroupSignals.Signal(stage.Id, ProcessGroupSignals.SigKill);
        }

        escaped.Signal(ProcessGroupSignals.SigKill);

        // Reap our children (the framework waits on them once they exit).
        foreach (var stage in stages)
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
}
