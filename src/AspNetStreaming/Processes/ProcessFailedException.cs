namespace AspNetStreaming.Processes;

/// <summary>A process pipeline ended unsuccessfully: a non-zero exit, a signal, a timeout or a limit.</summary>
public sealed class ProcessFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProcessFailedException()
        : this("The process failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ProcessFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ProcessFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal ProcessFailedException(string message, IReadOnlyList<int> exitCodes, ProcessKillReason killReason, string? standardErrorTail)
        : base(message)
    {
        ExitCodes = exitCodes;
        KillReason = killReason;
        StandardErrorTail = standardErrorTail;
    }

    /// <summary>Each stage's exit code (128+n when killed by signal n), in pipeline order.</summary>
    public IReadOnlyList<int> ExitCodes { get; } = [];

    /// <summary>Why the library killed the pipeline, if it did.</summary>
    public ProcessKillReason KillReason { get; }

    /// <summary>The end of stderr, when captured.</summary>
    public string? StandardErrorTail { get; }
}
