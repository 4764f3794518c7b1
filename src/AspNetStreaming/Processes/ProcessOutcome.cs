namespace AspNetStreaming.Processes;

/// <summary>How a pipeline ended: each stage's exit code and whether the library killed it.</summary>
internal sealed record ProcessOutcome(IReadOnlyList<int> ExitCodes, ProcessKillReason KillReason, bool PipeFail,
    IReadOnlyList<IReadOnlyCollection<int>>? SuccessExitCodes = null)
{
    /// <summary>The last stage's exit code (the pipeline's, as in a shell).</summary>
    public int ExitCode => ExitCodes.Count == 0 ? -1 : ExitCodes[^1];

    /// <summary>Whether the pipeline succeeded: not killed, and a success code (0 unless the command lists others) from
    /// the last stage, or from every stage with pipefail.</summary>
    public bool Succeeded => KillReason == ProcessKillReason.None && ExitCodes.Count > 0
        && (PipeFail ? Enumerable.Range(0, ExitCodes.Count).All(IsSuccess) : IsSuccess(ExitCodes.Count - 1));

    private bool IsSuccess(int stage) => SuccessExitCodes is { } codes && stage < codes.Count ? codes[stage].Contains(ExitCodes[stage]) : ExitCodes[stage] == 0;

    public bool TimedOut => KillReason is ProcessKillReason.IdleTimeout or ProcessKillReason.TotalTimeout;

    public string Describe() => KillReason switch
    {
        ProcessKillReason.None when ExitCodes.Count == 1 => $"exit code {ExitCode}",
        ProcessKillReason.None => $"exit codes {string.Join(", ", ExitCodes)}",
        ProcessKillReason.IdleTimeout => "no output within the idle timeout",
        ProcessKillReason.TotalTimeout => "the total timeout expired",
        ProcessKillReason.OutputLimit => "the output limit was exceeded",
        _ => $"killed ({KillReason})",
    };
}
