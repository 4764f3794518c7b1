using System.Runtime.InteropServices;
using AspNetStreaming.IO.Native;
using Microsoft.Win32.SafeHandles;

namespace AspNetStreaming.IO;

/// <summary>
/// What identifies one version of a file: its length, its last write time and, where the platform exposes it,
/// its file id (the inode number). A file replaced by another of the same length and time-stamp (a copy that
/// preserves times, an atomic rename) keeps the first two but gets a new id.
/// </summary>
/// <param name="Length">The length in bytes.</param>
/// <param name="LastWriteUtc">The last write time, at the file system's precision (100 ns ticks at most).</param>
/// <param name="FileId">The inode number on 64-bit Linux; <see langword="null"/> elsewhere.</param>
internal readonly record struct FileStamp(long Length, DateTime LastWriteUtc, ulong? FileId)
{
    // .NET has no public API for a file's inode, so on 64-bit Linux one fstat/stat call reads all three fields.
    // struct stat puts st_ino, st_size and st_mtim at the same offsets on x86-64 and on the generic layout of
    // arm64; other platforms take the portable path (two calls, no id). The fstat/stat symbols need glibc 2.33
    // or musl; an older libc turns the native path off for the life of the process.
    private static bool s_native = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Reads the stamp of an open file from its handle, so it describes exactly the bytes reads will see.</summary>
    public static FileStamp Of(SafeFileHandle handle)
    {
        if (s_native)
        {
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                if (FromNative(NativeMethods.Fstat((int)handle.DangerousGetHandle(), out var stat), stat, out var stamp))
                {
                    return stamp;
                }
            }
            catch (Exception error) when (IsMissingLibc(error))
            {
                s_native = false;
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }

        return new FileStamp(RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle), null);
    }

    /// <summary>Reads the stamp of the file at <paramref name="path"/> (links followed).</summary>
    /// <returns><see langword="null"/> when no regular file is there.</returns>
    public static FileStamp? Of(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        if (s_native)
        {
            try
            {
                if (FromNative(NativeMethods.Stat(path, out var stat), stat, out var stamp))
                {
                    return stamp;
                }
            }
            catch (Exception error) when (IsMissingLibc(error))
            {
                s_native = false;
            }
        }

        return new FileStamp(info.Length, info.LastWriteTimeUtc, null);
    }

    private static bool IsMissingLibc(Exception error) => error is DllNotFoundException or EntryPointNotFoundException;

    // A non-zero result falls back to the portable path, which reports the error in .NET's own terms.
    private static bool FromNative(int result, in LinuxStat stat, out FileStamp stamp)
    {
        if (result != 0)
        {
            stamp = default;
            return false;
        }

        var ticks = stat.ModifiedSeconds * TimeSpan.TicksPerSecond + stat.ModifiedNanoseconds / 100;
        stamp = new FileStamp(stat.Size, DateTime.UnixEpoch.AddTicks(ticks), stat.Inode);
        return true;
    }
}
