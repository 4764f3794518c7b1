using AspNetStreaming.IO.Native;

namespace AspNetStreaming.Processes;

/// <summary>Signals to whole process groups. Every pipeline stage is started as the leader of its own session
/// and group (through <c>setsid</c>), so the group id is the stage's pid and a signal to <c>-pgid</c> also
/// reaches the grandchildren it forked.</summary>
internal static class ProcessGroupSignals
{
    public const int SigKill = NativeMethods.SigKill;
    public const int SigTerm = NativeMethods.SigTerm;

    /// <summary>Sends <paramref name="signal"/> to every process in group <paramref name="processGroupId"/>.</summary>
    /// <returns>Whether the group still had members.</returns>
    public static bool Signal(int processGroupId, int signal)
        => processGroupId > 1 && NativeMethods.Kill(-processGroupId, signal) == 0;

    /// <summary>Whether any process (zombies included) is left in the group.</summary>
    public static bool IsAlive(int processGroupId) => Signal(processGroupId, 0);

    /// <summary>Grows a pipe's kernel buffer (Linux; up to /proc/sys/fs/pipe-max-size for unprivileged users) so
    /// one read or write moves more than the default 64 KiB; fewer wake-ups per GiB. Best effort.</summary>
    public static void TryGrowPipe(Stream stream, int size)
    {
        if (!OperatingSystem.IsLinux() || stream is not System.IO.Pipes.PipeStream pipe)
        {
            return;
        }

        try
        {
            _ = NativeMethods.Fcntl((int)pipe.SafePipeHandle.DangerousGetHandle(), NativeMethods.SetPipeSize, size);
        }
        catch (Exception error) when (error is InvalidOperationException or ObjectDisposedException or DllNotFoundException or EntryPointNotFoundException)
        {
            // Not a real pipe, or no libc: keep the default size.
        }
    }
}
