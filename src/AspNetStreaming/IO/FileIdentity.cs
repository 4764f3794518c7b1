using System.Runtime.InteropServices;
using AspNetStreaming.IO.Native;
using Microsoft.Win32.SafeHandles;

namespace AspNetStreaming.IO;

/// <summary>
/// Which file a path names and which version of it: device and inode (the file), length, and the modification and
/// status-change times at nanosecond precision (the version). A rename over the path or a re-pointed link changes the
/// inode; an in-place write, truncate or append changes the length or the modification time; a <c>chmod</c>,
/// <c>chown</c> or new hard link changes the status-change time, which no user space call can set back.
/// </summary>
/// <remarks>Read with one <c>stat</c>/<c>fstat</c> on 64-bit Linux only (see <see cref="IsSupported"/>): other
/// platforms give no inode to .NET, and without one a replacement of the same length and time cannot be told apart,
/// so what depends on this (the open-file cache) is off there, and <see cref="FileStamp"/> reads length and time the
/// portable way. <c>struct stat</c> puts the fields read at the same offsets on x86-64 and on arm64's generic layout;
/// the symbols need glibc 2.33 or musl, and an older libc turns identities off for the life of the process.</remarks>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, long Length, long ModifiedNanoseconds, long ChangedNanoseconds)
{
    /// <summary>Whether identities can be read on this platform.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64 && Probe();

    /// <summary>The identity of the file an open handle reads.</summary>
    /// <returns><see langword="null"/> when it cannot be read (unsupported platform, or the call failed).</returns>
    public static FileIdentity? Of(SafeFileHandle handle)
    {
        if (!IsSupported)
        {
            return null;
        }

        return NativeMethods.WithDescriptor(handle, fd => NativeMethods.Fstat(fd, out var stat) == 0 ? From(stat) : (FileIdentity?)null);
    }

    /// <summary>The identity of the file <paramref name="path"/> names now (links followed); <see langword="null"/> when
    /// nothing the caller may stat is there (missing, a parent not searchable) or the platform is unsupported.</summary>
    public static FileIdentity? Of(string path)
        => IsSupported && NativeMethods.Stat(path, out var stat) == 0 ? From(stat) : null;

    /// <summary>Whether <paramref name="path"/> names something that is neither a regular file nor a directory (a FIFO,
    /// a device, a socket): opening a FIFO blocks until a writer comes, so such a name is refused before the open.
    /// <see langword="false"/> when it cannot be told (missing, unsupported platform).</summary>
    public static bool IsSpecialFile(string path)
        => IsSupported && NativeMethods.Stat(path, out var stat) == 0 && stat.FileType is not (RegularFileType or DirectoryType);

    private const uint RegularFileType = 0x8000; // S_IFREG
    private const uint DirectoryType = 0x4000; // S_IFDIR

    /// <summary>The stamp the validators are made of, so a cached file's ETag is the one an open gives.</summary>
    public FileStamp ToStamp() => new(Length, DateTime.UnixEpoch.AddTicks(ModifiedNanoseconds / 100), Inode);

    private static FileIdentity From(in LinuxStat stat) => new(stat.Device, stat.Inode, stat.Size,
        stat.ModifiedSeconds * 1_000_000_000 + stat.ModifiedNanoseconds, stat.ChangedSeconds * 1_000_000_000 + stat.ChangedNanoseconds);

    // The stat symbol needs glibc 2.33 or musl; an older libc turns identities (and the cache) off.
    private static bool Probe()
    {
        try
        {
            return NativeMethods.Stat("/", out _) == 0;
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
