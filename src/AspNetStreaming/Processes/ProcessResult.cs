namespace AspNetStreaming.Processes;

/// <summary>What <see cref="ProcessRunner"/> collected from a finished pipeline.</summary>
public sealed class ProcessResult
{
    internal ProcessResult(IReadOnlyList<int> exitCodes, byte[] standardOutput, byte[] standardError, ProcessKillReason killReason, bool succeeded)
    {
        ExitCodes = exitCodes;
        StandardOutput = standardOutput;
        StandardError = standardError;
        KillReason = killReason;
        Succeeded = succeeded;
    }

    /// <summary>The last stage's exit code (the pipeline's, as in a shell); 128+n after signal n.</summary>
    public int ExitCode => ExitCodes[^1];

    /// <summary>Every stage's exit code, first to last.</summary>
    public IReadOnlyList<int> ExitCodes { get; }

    /// <summary>The last stage's stdout (bounded by <see cref="ProcessOptions.MaxOutputBytes"/>).</summary>
    public byte[] StandardOutput { get; }

    /// <summary>The end of every stage's stderr (bounded by <see cref="ProcessOptions.StderrCaptureBytes"/> per stage).</summary>
    public byte[] StandardError { get; }

    /// <summary>Why the library killed the pipeline (a timeout), or <see cref="ProcessKillReason.None"/>.</summary>
    public ProcessKillReason KillReason { get; }

    /// <summary>Whether the pipeline succeeded (see <see cref="ProcessOptions.PipeFail"/>).</summary>
    public bool Succeeded { get; }

    /// <summary>stdout decoded as UTF-8.</summary>
    public string StandardOutputText => System.Text.Encoding.UTF8.GetString(StandardOutput);

    /// <summary>stderr decoded as UTF-8.</summary>
    public string StandardErrorText => System.Text.Encoding.UTF8.GetString(StandardError);
}
