using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AspNetStreaming.Processes;

/// <summary>
/// Knows every pipeline the app runs: enforces the global concurrency cap (and per-endpoint caps through
/// <see cref="ConcurrencyGate"/>), and kills every process tree when the application stops.
/// </summary>
internal sealed class ProcessSupervisor : IDisposable
{
    private readonly ConcurrentDictionary<ProcessPipelineRun, byte> _running = new();
    private readonly ConcurrencyGate _global;
    private readonly CancellationTokenRegistration _stopping;
    private readonly Counter<long>? _started;
    private readonly Counter<long>? _killed;
    private readonly Counter<long>? _rejected;
    private readonly UpDownCounter<long>? _active;

    /// <summary>Creates the supervisor from the registered options; registers with the host's shutdown and
    /// records metrics on the library's meter (<see cref="Diagnostics.StreamingMeter.Name"/>).</summary>
    public ProcessSupervisor(IOptions<ProcessOptions> options, IHostApplicationLifetime? lifetime = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _global = new ConcurrencyGate(options.Value.GlobalMaxConcurrency);
        if (meterFactory?.Create(Diagnostics.StreamingMeter.Name) is { } meter)
        {
            _started = meter.CreateCounter<long>("aspnetstreaming.process.started", unit: "{pipeline}", description: "Process pipelines started.");
            _killed = meter.CreateCounter<long>("aspnetstreaming.process.killed", unit: "{pipeline}", description: "Process trees killed, by reason.");
            _rejected = meter.CreateCounter<long>("aspnetstreaming.process.rejected", unit: "{request}", description: "Requests refused by a concurrency cap (503).");
            _active = meter.CreateUpDownCounter<long>("aspnetstreaming.process.active", unit: "{pipeline}", description: "Process pipelines running now.");
        }

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
            _rejected?.Add(1, new KeyValuePair<string, object?>("scope", refusedBy));
            return false;
        }

        if (!_global.TryEnter())
        {
            endpointGate?.Exit();
            refusedBy = "global";
            _rejected?.Add(1, new KeyValuePair<string, object?>("scope", refusedBy));
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

    internal void Track(ProcessPipelineRun run)
    {
        if (_running.TryAdd(run, 0))
        {
            _started?.Add(1);
            _active?.Add(1);
        }
    }

    internal void Untrack(ProcessPipelineRun run)
    {
        if (_running.TryRemove(run, out _))
        {
            _active?.Add(-1);
        }
    }

    internal void Killed(ProcessKillReason reason) => _killed?.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));

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
