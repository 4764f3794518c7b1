using System.Runtime.InteropServices;

namespace AspNetStreaming.IO.Native;

/// <summary>
/// Every libc call the library makes, in one place so what it asks of the operating system can be read at a
/// glance. Each caller keeps its own guard (an OS check, or a catch of <see cref="DllNotFoundException"/> and
/// <see cref="EntryPointNotFoundException"/> for a missing or too old libc) and its portable fallback.
/// </summary>
/// <remarks>DllImport rather than LibraryImport: the signatures are blittable or marshal one UTF-8 path (no
/// generated stub is needed), and LibraryImport would require AllowUnsafeBlocks for the whole library.</remarks>
internal static class NativeMethods
{
    /// <summary>Calls <paramref name="call"/> with the descriptor of <paramref name="handle"/>, which cannot be closed
    /// (and its number reused) during the call.</summary>
    public static T WithDescriptor<T>(SafeHandle handle, Func<int, T> call)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return call((int)handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>SIGKILL.</summary>
    public const int SigKill = 9;

    /// <summary>SIGTERM.</summary>
    public const int SigTerm = 15;

    /// <summary>F_SETPIPE_SZ (Linux only): sets a pipe's kernel buffer size.</summary>
    public const int SetPipeSize = 1031;

    /// <summary>O_RDONLY.</summary>
    public const int OpenReadOnly = 0;

    /// <summary>Sends a signal to a process, or with a negative pid to every process in that group.</summary>
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Fcntl(int fd, int command, int argument);

    // The fstat/stat symbols need glibc 2.33 or musl (older glibc only exports __fxstat/__xstat).
    [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Fstat(int fd, out LinuxStat stat);

#pragma warning disable CA2101 // The path is marshalled explicitly as UTF-8 (LPUTF8Str), which is what Unix expects.
    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out LinuxStat stat);

    // .NET cannot open a directory handle on Unix, so fsyncing a directory takes open/fsync/close.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
#pragma warning restore CA2101

    /// <summary>flock's LOCK_SH, LOCK_EX and LOCK_NB.</summary>
    public const int LockShared = 1, LockExclusive = 2, LockNonBlocking = 4;

    /// <summary>Takes or converts an advisory lock on an open file description; the kernel drops it when the last
    /// descriptor closes, a killed process's included.</summary>
    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Flock(int fd, int operation);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Fsync(int fd);

    /// <summary>Reads a symbolic link's target into <paramref name="buffer"/> (not NUL-terminated); the length, or -1.</summary>
    [DllImport("libc", EntryPoint = "readlink", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern nint Readlink(ref byte path, ref byte buffer, nint size);

    /// <summary>The canonical absolute path of <paramref name="path"/> (every link resolved) into <paramref name="resolved"/>
    /// (at least PATH_MAX bytes, NUL-terminated); <see cref="IntPtr.Zero"/> on failure.</summary>
    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable CA2101 // The path is marshalled explicitly as UTF-8 (LPUTF8Str), which is what Unix expects.
    public static extern IntPtr Realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref byte resolved);
#pragma warning restore CA2101

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Close(int fd);
}
