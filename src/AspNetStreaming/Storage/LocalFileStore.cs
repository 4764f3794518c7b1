using AspNetStreaming.IO;
using AspNetStreaming.Producers;

namespace AspNetStreaming.Storage;

/// <summary>Files on the local disk under a root, confined by <see cref="RootedPathResolver"/> (no <c>..</c>, no
/// symbolic link out of the root, dot files only when allowed); a directory is never a file.</summary>
/// <remarks>With an <see cref="OpenFileCache"/>, a name served before costs one <c>stat</c> (the cache's check that
/// the file there is still the one it holds open) instead of the link walk, open, <c>fstat</c> and close.</remarks>
internal sealed class LocalFileStore(RootedPathResolver resolver, OpenFileCache? cache = null) : FileStore
{
    // ELOOP, which .NET raises as an IOException whose HResult is the errno.
    private const int LinkLoopErrno = 40;
    private const int MacLinkLoopErrno = 62;

    public override ValueTask<StoreOpening> OpenReadAsync(string? name, StoreRange? firstRead, CancellationToken cancellationToken)
        => ValueTask.FromResult(Open(name));

    // The hit's stat follows links, so a directory moved out of the root and linked back looks unchanged. What the handle
    // reads is still the very file (same inode, length and time) that was checked inside the root when it was opened, and
    // any change to it fails the stat; so where it lies now is asked of the kernel at most once a second per entry (that
    // readlink of /proc costs about 3 µs, a tenth of a cached 64 KiB range), not on every hit.
    private bool LocationStillUnderRoot(OpenFileCache.Entry entry)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (now - entry.LocationCheckedAt < System.Diagnostics.Stopwatch.Frequency)
        {
            return true;
        }

        entry.LocationCheckedAt = now;
        return OpenedFileLocation.IsUnder(entry.File.Handle, resolver.ResolveRoot());
    }

    private StoreOpening Open(string? name)
    {
        if (!resolver.IsAcceptableName(name, out var reason))
        {
            return StoreOpening.Refused(reason ?? "refused");
        }

        if (cache?.TryRent(name) is { } lease)
        {
            if (LocationStillUnderRoot(lease.Entry))
            {
                return StoreOpening.Found(new FileSource(lease));
            }

            cache.Invalidate(lease);
            lease.Dispose();
        }

        AsyncFile file;
        try
        {
            // A miss (or an entry no longer valid): the full resolve, links checked, as if there were no cache. The root
            // is resolved afresh too, so a root re-pointed by a deploy is followed from the next request on.
            var root = resolver.ResolveRoot();
            if (!RootedPathResolver.TryResolveAccepted(name, root, out var path, out reason))
            {
                return StoreOpening.Refused(reason ?? "refused");
            }

            if (FileIdentity.IsSpecialFile(path))
            {
                return StoreOpening.Refused("not a regular file");
            }

            file = AsyncFile.OpenRead(path);
            if (!OpenedFileLocation.IsUnder(file.Handle, root))
            {
                // A link swapped in between the walk above and the open: the open followed it out of the root.
                file.Dispose();
                return StoreOpening.Refused("a symbolic link that leads outside the root");
            }
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            // UnauthorizedAccessException is also what opening a directory throws: directories are never listed.
            return StoreOpening.NotFound();
        }
        catch (PathTooLongException)
        {
            return StoreOpening.Refused("name too long");
        }
        catch (IOException error) when (error.HResult == (OperatingSystem.IsLinux() ? LinkLoopErrno : MacLinkLoopErrno))
        {
            return StoreOpening.Refused("symbolic link loop");
        }

        try
        {
            if (cache is not null && FileIdentity.Of(file.Handle) is { } identity)
            {
                // Keyed to the configured path, not the resolved one: a hit's stat then follows a re-pointed root link
                // to the new release's file, whose identity differs, and falls back to this full resolve.
                return StoreOpening.Found(new FileSource(cache.Add(name, Path.Join(resolver.ConfiguredRoot, name), file, identity)));
            }

            return StoreOpening.Found(new FileSource(file));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}
