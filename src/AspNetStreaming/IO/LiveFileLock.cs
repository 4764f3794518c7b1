using AspNetStreaming.IO.Native;
using Microsoft.Win32.SafeHandles;

namespace AspNetStreaming.IO;

/// <summary>
/// "Someone is still writing this file", as an advisory lock the kernel keeps for exactly as long as the writer's
/// descriptor is open: a writer marks its file when it creates it, and a sweeper asks whether any process still holds
/// such a mark. A process killed with SIGKILL loses its marks with its descriptors, so what it left behind is found at
/// once, however recently it was written (a file's time says nothing: a slow upload may not write for minutes).
/// </summary>
/// <remarks>Linux only (<c>flock</c>), independent of <c>System.IO.DisableFileLocking</c>. Elsewhere nothing is marked
/// and <see cref="IsHeld"/> answers <see langword="null"/> (unknown), so callers fall back to the file's age.</remarks>
internal static class LiveFileLock
{
    /// <summary>Marks the file of <paramref name="handle"/> as being written (a shared lock, so marks never block each other).</summary>
    public static void Mark(SafeFileHandle handle)
    {
        if (OperatingSystem.IsLinux())
        {
            WithDescriptor(handle, fd => NativeMethods.Flock(fd, NativeMethods.LockShared | NativeMethods.LockNonBlocking));
        }
    }

    /// <summary>Whether another open descriptor (this process's or another's) marks <paramref name="path"/>; null when
    /// unknown (not Linux, or the file could not be opened).</summary>
    public static bool? IsHeld(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            // Opened for reading only, with every share mode, so the probe itself never blocks or breaks a writer.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var result = WithDescriptor(handle, fd => NativeMethods.Flock(fd, NativeMethods.LockExclusive | NativeMethods.LockNonBlocking));
            return result != 0; // EWOULDBLOCK: a writer's shared mark is still there
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    // A libc without flock counts as a failed call (no mark; "held" for a probe, so nothing is deleted on its word).
    private static int WithDescriptor(SafeFileHandle handle, Func<int, int> call)
    {
        try
        {
            return NativeMethods.WithDescriptor(handle, call);
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }
}
