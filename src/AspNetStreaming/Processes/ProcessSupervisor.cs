using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AspNetStreaming.Processes;

/// <summary>
/// Knows every pipeline the app runs: enforces the global concurrency cap (and per-endpoint caps through
/// <see cref="ConcurrencyGate"/>), and kills every process tree when the application stops.
/// </summary>
public sealed class ProcessSupervisor : IDisposable
{
    private readonly ConcurrentDictionary<ProcessPipelineRun, byte> _running = new();
    private readonly ConcurrencyGate _global;
    private readonly CancellationTokenRegistration _stopping;

    /// <summary>Creates the supervisor from the registered options; registers with the host's shutdown.</summary>
    public ProcessSupervisor(IOptions<ProcessOptions> options, IHostApplicationLifetime? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _global = new ConcurrencyGate(options.Value.GlobalMaxConcurrency);
        if (lifetime is not null)
        {
            _stopping = lifetime.ApplicationStopping.Register(static state => ((ProcessSupervisor)state!).KillAll(), this);
        }
    }

    /// <summary>The global cap.</summary>
    public int GlobalLimit => _global.Limit;

    /// <summary>How many pipelines run now.</summary>
    public int RunningCount => _running.Count;

    /// <summary>Takes a slot under the global cap and, when given, an endpoint's cap.</summary>
    /// <param name="endpointGate">The endpoint's cap, or <see langword="null"/>.</param>
    /// <param name="lease">Dispose to give the slots back.</param>
    /// <param name="refusedBy">Which cap refused: <c>global</c> or <c>endpoint</c>.</param>
    /// <returns>Whether a slot was free.</returns>
    public bool TryEnter(ConcurrencyGate? endpointGate, out IDisposable? lease, out string? refusedBy)
    {
        lease = null;
        refusedBy = null;
        if (endpointGate is not null && !endpointGate.TryEnter())
        {
            refusedBy = "endpoint";
            return false;
        }

        if (!_global.TryEnter())
        {
            endpointGate?.Exit();
            refusedBy = "global";
            return false;
        }

        lease = new Lease(_global, endpointGate);
        return true;
    }

    /// <summary>Kills every running tree (SIGTERM, then SIGKILL after the grace period) without waiting.</summary>
    public void KillAll()
    {
        foreach (var run in _running.Keys)
        {
            _ = run.KillAsync(ProcessKillReason.Shutdown);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping.Dispose();
        var kills = _running.Keys.Select(run => run.KillAsync(ProcessKillReason.Shutdown)).ToArray();
        Task.WaitAll(kills, TimeSpan.FromSeconds(2));
    }

    internal void Track(ProcessPipelineRun run) => _running.TryAdd(run, 0);

    internal void Untrack(ProcessPipelineRun run) => _running.TryRemove(run, out _);

    private sealed class Lease(ConcurrencyGate global, ConcurrencyGate? endpoint) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                global.Exit();
                endpoint?.Exit();
            }
        }
    }
}
