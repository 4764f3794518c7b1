namespace AspNetStreaming.Processes;

/// <summary>Why the library killed a process tree.</summary>
public enum ProcessKillReason
{
    /// <summary>Not killed.</summary>
    None,

    /// <summary>No output for longer than <see cref="ProcessOptions.IdleTimeout"/>.</summary>
    IdleTimeout,

    /// <summary>Ran longer than <see cref="ProcessOptions.TotalTimeout"/>.</summary>
    TotalTimeout,

    /// <summary>Wrote more than <see cref="ProcessOptions.MaxOutputBytes"/>.</summary>
    OutputLimit,

    /// <summary>The client went away or the caller cancelled.</summary>
    Cancelled,

    /// <summary>The application is shutting down.</summary>
    Shutdown,

    /// <summary>The pipeline ended but processes were left in its groups (for example a daemonized
    /// grandchild), or it was disposed while still running.</summary>
    Leftover,

    /// <summary>Another failure (a stage failed to start, the request body failed).</summary>
    Failure,
}
