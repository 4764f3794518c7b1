using AspNetStreaming.IO;
using AspNetStreaming.Producers;

namespace AspNetStreaming.Storage;

/// <summary>Files on the local disk under a root, confined by <see cref="RootedPathResolver"/> (no <c>..</c>, no
/// symbolic link out of the root, dot files only when allowed); a directory is never a file.</summary>
internal sealed class LocalFileStore(RootedPathResolver resolver) : FileStore
{
    public override ValueTask<StoreOpening> OpenReadAsync(string? name, StoreRange? firstRead, CancellationToken cancellationToken)
    {
        if (!resolver.TryResolve(name, out var path, out var reason))
        {
            return ValueTask.FromResult(StoreOpening.Refused(reason ?? "refused"));
        }

        try
        {
            return ValueTask.FromResult(StoreOpening.Found(new FileSource(AsyncFile.OpenRead(path))));
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            // UnauthorizedAccessException is also what opening a directory throws: directories are never listed.
            return ValueTask.FromResult(StoreOpening.NotFound());
        }
    }
}
