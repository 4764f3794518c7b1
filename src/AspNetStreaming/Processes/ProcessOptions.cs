namespace AspNetStreaming.Processes;

/// <summary>
/// How a process pipeline runs: its environment, working directory, limits and stderr handling. Bound from
/// <c>Streaming:Processes</c> as the defaults of every process endpoint; each endpoint may adjust a copy.
/// </summary>
public sealed class ProcessOptions
{
    /// <summary>The default <c>PATH</c> given to children: fixed, not the host's.</summary>
    public const string DefaultPath = "/usr/local/bin:/usr/bin:/bin";

    /// <summary>Names of host environment variables copied into the child's environment. Nothing else from the
    /// host leaks into a child; empty by default.</summary>
    public IList<string> EnvironmentAllowList { get; private set; } = [];

    /// <summary>Variables set in the child's environment (after the allow-list, so they win). By default only
    /// <c>PATH</c>=<see cref="DefaultPath"/>.</summary>
    public IDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = DefaultPath };

    /// <summary>The child's working directory; the app's current directory when <see langword="null"/>.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Longest time without a byte of output (while the consumer is ready to read) before the
    /// pipeline is killed; <see langword="null"/> for none. 30 s by default.</summary>
    public TimeSpan? IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest time a pipeline may run before it is killed; <see langword="null"/> for none (the default).</summary>
    public TimeSpan? TotalTimeout { get; set; }

    /// <summary>Time between SIGTERM and SIGKILL when a tree is killed. 500 ms by default, so a tree is gone
    /// within a second of the trigger.</summary>
    public TimeSpan KillGracePeriod { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Most stdout bytes sent before the pipeline is killed and the response aborted;
    /// <see langword="null"/> for no limit (the default).</summary>
    public long? MaxOutputBytes { get; set; }

    /// <summary>Most request-body bytes fed to stdin (Kestrel's per-request limit is set to this);
    /// <see langword="null"/> for no limit (the default: the body is streamed, never buffered).</summary>
    public long? MaxRequestBodySize { get; set; }

    /// <summary>Longest stderr line logged, in bytes; longer lines are cut and marked. 1024 by default.</summary>
    public int StderrMaxLineLength { get; set; } = 1024;

    /// <summary>Most stderr lines logged per second per pipeline; the rest are counted and reported as
    /// suppressed. 20 by default.</summary>
    public int StderrMaxLinesPerSecond { get; set; } = 20;

    /// <summary>Bytes of the end of stderr kept in memory (for <see cref="ProcessResult.StandardError"/> and,
    /// when <see cref="IncludeStderrInProblem"/> is set, for the 502 body). 4096 by default; 0 keeps nothing.</summary>
    public int StderrCaptureBytes { get; set; } = 4096;

    /// <summary>Whether a 502 ProblemDetails shows the captured stderr tail. Off by default: stderr may hold
    /// details the client should not see.</summary>
    public bool IncludeStderrInProblem { get; set; }

    /// <summary>Whether stderr is mixed into the output (the response body, <see cref="ProcessResult.StandardOutput"/>),
    /// like <c>(a | b) 2&gt;&amp;1</c> in a shell but without one: the last stage's stdout and EVERY stage's stderr
    /// go into one stream in arrival order, at chunk granularity (each read from a pipe, i.e. what a program wrote
    /// since the previous read, goes in whole; as with <c>2&gt;&amp;1</c>, a line written in pieces may be
    /// interleaved with the other stream). The pipes stay separate and are read concurrently, so "arrival" is when
    /// a read completes: bytes still queued in one pipe may be overtaken by a later write to the other. Merged bytes are output: they count towards
    /// <see cref="MaxOutputBytes"/> and reset the idle timeout, and stderr before any stdout makes the response
    /// start (a later non-zero exit then aborts it instead of giving a 502). stderr is still logged and its tail
    /// still captured. Backpressure holds: a slow consumer blocks every program. Off by default; CGI ignores it
    /// (a script's stderr never reaches the client).</summary>
    public bool MergeStandardError { get; set; }

    /// <summary>Whether every stage must exit 0 for success (<c>set -o pipefail</c>); otherwise only the last
    /// stage's exit code counts, as in a shell. Off by default.</summary>
    public bool PipeFail { get; set; }

    /// <summary>The response's <c>Content-Type</c>. <c>application/octet-stream</c> by default.</summary>
    public string ContentType { get; set; } = "application/octet-stream";

    /// <summary>Most pipelines this endpoint runs at once; more are answered 503. <see langword="null"/> for no
    /// per-endpoint cap (the global cap still applies).</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>Most pipelines the whole app runs at once (all endpoints and CGI); more are answered 503.
    /// 64 by default. Read from the registered options only.</summary>
    public int GlobalMaxConcurrency { get; set; } = 64;

    /// <summary>The <c>Retry-After</c> seconds sent with a 503. 1 by default.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>The chunk size stdout is read with (and stdin written with). 256 KiB by default.</summary>
    public int ReadSize { get; set; } = 256 * 1024;

    /// <summary>The kernel buffer asked for each stdin/stdout pipe (Linux <c>F_SETPIPE_SZ</c>; best effort,
    /// capped by <c>/proc/sys/fs/pipe-max-size</c>). 1 MiB by default instead of the kernel's 64 KiB, so each
    /// read and write moves more bytes per wake-up.</summary>
    public int PipeBufferSize { get; set; } = 1024 * 1024;

    /// <summary>A copy whose collections are independent of this instance's.</summary>
    public ProcessOptions Clone()
    {
        var copy = (ProcessOptions)MemberwiseClone();
        copy.EnvironmentAllowList = new List<string>(EnvironmentAllowList);
        copy.Environment = new Dictionary<string, string>(Environment, StringComparer.Ordinal);
        return copy;
    }

    internal static OptionsRules<ProcessOptions> Rules { get; } = new("Streaming:Processes", o =>
        o.ReadSize <= 0 ? "ReadSize must be positive."
        : o.ReadSize > MaxReadSize ? $"ReadSize must be at most {MaxReadSize} bytes."
        : o.PipeBufferSize <= 0 ? "PipeBufferSize must be positive."
        : o.IdleTimeout is { } idle && !IsUsableTimeout(idle) ? "IdleTimeout must be positive and under 24 days when set."
        : o.TotalTimeout is { } total && !IsUsableTimeout(total) ? "TotalTimeout must be positive and under 24 days when set."
        : o.KillGracePeriod < TimeSpan.Zero || o.KillGracePeriod > TimeSpan.FromMinutes(10) ? "KillGracePeriod must be between 0 and 10 minutes."
        : o.MaxOutputBytes < 0 ? "MaxOutputBytes must not be negative when set."
        : o.MaxRequestBodySize < 0 ? "MaxRequestBodySize must not be negative when set."
        : o.WorkingDirectory is { Length: > 0 } directory && !Directory.Exists(directory) ? $"WorkingDirectory '{directory}' does not exist."
        : o.StderrMaxLineLength <= 0 ? "StderrMaxLineLength must be positive."
        : o.StderrMaxLinesPerSecond <= 0 ? "StderrMaxLinesPerSecond must be positive."
        : o.StderrCaptureBytes < 0 ? "StderrCaptureBytes must not be negative."
        : o.GlobalMaxConcurrency <= 0 ? "GlobalMaxConcurrency must be positive."
        : o.MaxConcurrency <= 0 ? "MaxConcurrency must be positive when set."
        : o.RetryAfterSeconds < 0 ? "RetryAfterSeconds must not be negative."
        : null);

    // 256 MiB: a read buffer is rented per response; more is a typo, and near int.MaxValue the CGI header buffer's
    // size (MaxHeaderBytes + ReadSize) would overflow.
    private const int MaxReadSize = 256 * 1024 * 1024;

    // A timer takes at most about 24.8 days (int.MaxValue milliseconds); zero or less would kill every run at once.
    private static bool IsUsableTimeout(TimeSpan timeout) => timeout > TimeSpan.Zero && timeout.TotalMilliseconds < int.MaxValue - 1;

    /// <summary>Throws <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming the first setting out of range.</summary>
    internal void Validate() => Rules.ThrowIfInvalid(this);
}
