using Microsoft.Net.Http.Headers;
using System.Runtime.InteropServices;
using AspNetStreaming.IO;
using AspNetStreaming.IO.Native;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>Temporary files, atomic publishing and the disk-full test shared by every kind of upload.</summary>
internal static class UploadStorage
{
    // Publishing (precondition re-check + rename) is serialised per target name through one of these stripes,
    // so an If-Match checked just before the rename cannot be overtaken by another publish of the same name.
    private static readonly object[] PublishLocks = [.. Enumerable.Range(0, 64).Select(_ => new object())];

    /// <summary>The prefix of temporary upload files: a dot-file, so MapFiles and directory listings skip it.</summary>
    public const string TempPrefix = ".upload-";

    /// <summary>A fresh temporary file path in <paramref name="directory"/> (same file system as the target, so
    /// the final rename is atomic).</summary>
    public static string NewTempPath(string directory) => Path.Join(directory, TempPrefix + Guid.NewGuid().ToString("N") + ".tmp");

    /// <summary>Whether a temporary upload file was abandoned: no live writer marks it (its process died), or, where that
    /// cannot be known, it was not written for <paramref name="age"/>.</summary>
    public static bool IsAbandoned(string path, TimeSpan age)
        => LiveFileLock.IsHeld(path) is { } held ? !held : DateTime.UtcNow - File.GetLastWriteTimeUtc(path) > age;

    /// <summary>Creates a temporary file, reserving <paramref name="expectedLength"/> bytes when known so a full
    /// disk is noticed before the body is read.</summary>
    public static AsyncFile CreateTemp(string path, long expectedLength)
    {
        try
        {
            var file = AsyncFile.OpenWrite(path, FileWriteMode.CreateNew, preallocationSize: Math.Max(0, expectedLength));
            LiveFileLock.Mark(file.Handle); // so a sweep after a crash can tell this file's writer is gone
            return file;
        }
        catch (IOException error) when (IsDiskFull(error))
        {
            TryDelete(path);
            throw UploadException.DiskFull(error);
        }
    }

    /// <summary>Whether <paramref name="error"/> means "no space left" (ENOSPC, EDQUOT, or the Windows codes).</summary>
    public static bool IsDiskFull(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is IOException io && (io.HResult is 28 or 122 or unchecked((int)0x80070070) or unchecked((int)0x80070027)
                || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
                || io.Message.Contains("disk was full", StringComparison.OrdinalIgnoreCase) // failed preallocation
                || io.Message.Contains("Disk quota", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    // HTTP dates have whole seconds: a file written within the second of the date is not "more recent" than it.
    private static DateTime WholeSeconds(DateTime time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    /// <summary>Deletes a file, ignoring a missing one; returns the error when deletion failed.</summary>
    public static Exception? TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return error;
        }
    }

    /// <summary>The entity tag of a stored file, in the format downloads use; strong (a publish is a rename of a
    /// complete file, so equal tags mean equal bytes).</summary>
    public static string? ETagOf(string path) => FileStamp.Of(path) is { } stamp ? FileEntityTag.Create(stamp) : null;

    /// <summary>Checks <c>If-None-Match</c>, <c>If-Match</c> and the overwrite policy against the target as it is now.</summary>
    /// <exception cref="UploadException">412 or 409.</exception>
    public static void CheckPreconditions(IHeaderDictionary headers, string target, UploadOverwritePolicy policy)
    {
        var ifNoneMatch = headers.IfNoneMatch.ToString().Trim();
        var ifMatch = headers.IfMatch.ToString().Trim();
        var etag = ETagOf(target);
        if (ifNoneMatch.Length > 0)
        {
            if (etag is not null && (ifNoneMatch == "*" || ListContains(ifNoneMatch, etag, weak: true)))
            {
                throw new UploadException(UploadErrorKind.PreconditionFailed, "The target already exists (If-None-Match).");
            }
        }

        if (ifMatch.Length > 0)
        {
            if (etag is null || (ifMatch != "*" && !ListContains(ifMatch, etag, weak: false)))
            {
                throw new UploadException(UploadErrorKind.PreconditionFailed, "The target's current entity tag does not match If-Match.");
            }

            return; // If-Match names the version to replace: the overwrite policy does not apply.
        }

        // RFC 9110 §13.2.2: If-Unmodified-Since counts only without If-Match. Like If-Match, it names a version to
        // replace, so a missing target fails it too; an invalid date is ignored.
        if (HeaderUtilities.TryParseDate(headers.IfUnmodifiedSince.ToString(), out var since))
        {
            if (FileStamp.Of(target) is not { } stamp || WholeSeconds(stamp.LastWriteUtc) > since.UtcDateTime)
            {
                throw new UploadException(UploadErrorKind.PreconditionFailed, "The target was modified after If-Unmodified-Since (or does not exist).");
            }

            return;
        }

        if (etag is not null && policy == UploadOverwritePolicy.Reject)
        {
            throw new UploadException(UploadErrorKind.Conflict, "A file with this name already exists.");
        }
    }

    /// <summary>Renames <paramref name="temp"/> to <paramref name="target"/> atomically, re-checking the
    /// preconditions under the name's lock first. Without an overwrite permission the rename is a
    /// create-if-absent (link + unlink), so the loser of a race gets 409/412 rather than replacing.</summary>
    /// <remarks>The published file's entity tag (<paramref name="etag"/>) is taken from the temporary file under the
    /// lock, just before the rename (which keeps inode, length and time): read from the target afterwards, it could be
    /// the tag of a racing upload that replaced this one meanwhile, and a client's If-Match on it would overwrite that
    /// upload.</remarks>
    /// <returns>Whether an existing file was replaced.</returns>
    public static bool Publish(string temp, string target, IHeaderDictionary headers, UploadOverwritePolicy policy, bool durable, out string etag)
    {
        bool replaced;
        lock (PublishLocks[(StringComparer.Ordinal.GetHashCode(target) & int.MaxValue) % PublishLocks.Length])
        {
            CheckPreconditions(headers, target, policy);
            etag = ETagOf(temp) ?? throw new FileNotFoundException("The upload's temporary file is gone.", temp);
            // If-None-Match: * is create-only; a list of tags was checked just above against the file there (none
            // matched), so it may be replaced like any other.
            var mayReplace = headers.IfMatch.Count > 0 || HeaderUtilities.TryParseDate(headers.IfUnmodifiedSince.ToString(), out _) || (policy == UploadOverwritePolicy.Replace && headers.IfNoneMatch.ToString().Trim() != "*");
            try
            {
                File.Move(temp, target, overwrite: false);
                replaced = false;
            }
            catch (IOException) when (Directory.Exists(target))
            {
                // A directory of that name: no upload replaces a directory, whatever the policy.
                throw new UploadException(UploadErrorKind.Conflict, "A directory with this name exists.");
            }
            catch (IOException) when (File.Exists(target))
            {
                if (!mayReplace)
                {
                    throw headers.IfNoneMatch.Count > 0
                        ? new UploadException(UploadErrorKind.PreconditionFailed, "The target already exists (If-None-Match).")
                        : new UploadException(UploadErrorKind.Conflict, "A file with this name already exists.");
                }

                File.Move(temp, target, overwrite: true);
                replaced = true;
            }
        }

        if (durable)
        {
            SyncDirectory(Path.GetDirectoryName(target)!);
        }

        return replaced;
    }

    /// <summary>fsyncs a directory so a rename in it is durable. .NET cannot open a directory handle on Unix,
    /// so this calls libc directly; elsewhere it is a no-op (NTFS journals renames).</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return;
        }

        var fd = NativeMethods.Open(directory, NativeMethods.OpenReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Could not open the upload directory to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (NativeMethods.Fsync(fd) != 0)
            {
                throw new IOException($"Could not flush the upload directory (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    // RFC 9110 §13.1.1 and §13.1.2: If-Match compares strongly (a weak tag never matches), If-None-Match weakly (W/"x"
    // matches "x", as it does for a GET of the same file served compressed). An unparsable list matches nothing.
    private static bool ListContains(string list, string etag, bool weak)
    {
        if (!EntityTagHeaderValue.TryParseStrictList([list], out var tags))
        {
            return false;
        }

        var current = new EntityTagHeaderValue(etag);
        foreach (var tag in tags)
        {
            if (tag.Compare(current, useStrongComparison: !weak))
            {
                return true;
            }
        }

        return false;
    }
}
