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
    /// <summary>Reads the stamp of an open file from its handle, so it describes exactly the bytes reads will see.</summary>
    public static FileStamp Of(SafeFileHandle handle)
        => FileIdentity.Of(handle)?.ToStamp() // one fstat on 64-bit Linux: length, time and inode together
        ?? new FileStamp(RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle), null);

    /// <summary>Reads the stamp of the file at <paramref name="path"/> (links followed).</summary>
    /// <returns><see langword="null"/> when no regular file is there.</returns>
    public static FileStamp? Of(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        return FileIdentity.Of(path)?.ToStamp() ?? new FileStamp(info.Length, info.LastWriteTimeUtc, null);
    }
}
