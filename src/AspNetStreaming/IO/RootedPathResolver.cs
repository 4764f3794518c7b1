namespace AspNetStreaming.IO;

/// <summary>
/// Maps a relative request path to a file under a root directory, refusing anything that could reach
/// outside it: <c>..</c> and <c>.</c> segments, backslashes, encoded separators (<c>%2F</c>, <c>%5C</c>),
/// NUL and other control characters, and symbolic links (at any depth) whose target lies outside the root.
/// Dot-files and dot-directories are hidden unless allowed.
/// </summary>
/// <remarks>The root itself is resolved once, links included, when the resolver is created.</remarks>
public sealed class RootedPathResolver
{
    private readonly string _rootWithSeparator;

    /// <summary>Creates a resolver confined to <paramref name="root"/>.</summary>
    /// <param name="root">The directory to serve from; it must exist.</param>
    /// <param name="allowDotFiles">Whether names starting with a dot may be resolved.</param>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    public RootedPathResolver(string root, bool allowDotFiles = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"The root directory '{full}' does not exist.");
        }

        var link = new DirectoryInfo(full).ResolveLinkTarget(returnFinalTarget: true);
        Root = Path.TrimEndingDirectorySeparator(link?.FullName ?? full);
        _rootWithSeparator = Root + Path.DirectorySeparatorChar;
        AllowDotFiles = allowDotFiles;
    }

    /// <summary>The resolved root directory.</summary>
    public string Root { get; }

    /// <summary>Whether names starting with a dot may be resolved.</summary>
    public bool AllowDotFiles { get; }

    /// <summary>Resolves <paramref name="relativePath"/> (segments separated by <c>/</c>) to a path under the root.</summary>
    /// <param name="relativePath">The path as it came from the request (already percent-decoded once).</param>
    /// <param name="fullPath">The resolved path (which may not exist) when the method returns <see langword="true"/>.</param>
    /// <param name="reason">Why the path was refused, for the log (never for the client).</param>
    /// <returns>Whether the path is safe to look up.</returns>
    public bool TryResolve(string? relativePath, out string fullPath, out string? reason)
    {
        fullPath = Root;
        return IsAcceptableName(relativePath, out reason) && TryResolveAccepted(relativePath, out fullPath, out reason);
    }

    /// <summary>The look at the disk of <see cref="TryResolve"/>, for a name <see cref="IsAcceptableName"/> accepted:
    /// each segment's link followed and checked to stay under the root.</summary>
    internal bool TryResolveAccepted(string relativePath, out string fullPath, out string? reason)
    {
        fullPath = Root;
        reason = null;
        var current = Root;
        foreach (var segment in relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Join(current, segment);
            FileSystemInfo info = new FileInfo(next);
            if (info.LinkTarget is not null)
            {
                FileSystemInfo? target;
                try
                {
                    target = info.ResolveLinkTarget(returnFinalTarget: true);
                }
                catch (IOException)
                {
                    // .NET's own hop limit (a loop), or a link it cannot read: nothing to serve either way.
                    reason = "symbolic link loop";
                    return false;
                }

                if (target is null || !IsUnderRoot(target.FullName))
                {
                    reason = "symbolic link leaves the root";
                    return false;
                }

                next = target.FullName;
            }

            current = next;
        }

        if (!IsUnderRoot(current))
        {
            reason = "outside the root";
            return false;
        }

        fullPath = current;
        return true;
    }

    /// <summary>The checks on the name itself, before any look at the disk: not empty, no control character,
    /// backslash or encoded separator, no empty, <c>.</c> or <c>..</c> segment, no dot-file unless allowed.</summary>
    internal bool IsAcceptableName([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? relativePath, out string? reason)
    {
        reason = null;
        if (string.IsNullOrEmpty(relativePath))
        {
            reason = "empty path";
            return false;
        }

        foreach (var c in relativePath)
        {
            if (char.IsControl(c))
            {
                reason = "control character";
                return false;
            }

            if (c == '\\')
            {
                reason = "backslash";
                return false;
            }
        }

        if (relativePath.Contains("%2f", StringComparison.OrdinalIgnoreCase) || relativePath.Contains("%5c", StringComparison.OrdinalIgnoreCase))
        {
            reason = "encoded separator";
            return false;
        }

        // Span splitting: this runs on every request, the open-file cache's hits included, so it allocates nothing.
        var name = relativePath.AsSpan();
        foreach (var range in name.Split('/'))
        {
            var segment = name[range];
            if (segment.IsEmpty)
            {
                // "a.txt/" or "a//b": the same file under another URL (and, after a slash, typed by no extension).
                reason = "empty segment";
                return false;
            }

            if (segment is "." or "..")
            {
                reason = "dot segment";
                return false;
            }

            if (segment[0] == '.' && !AllowDotFiles)
            {
                reason = "dot-file";
                return false;
            }
        }

        return true;
    }

    private bool IsUnderRoot(string path) => path.StartsWith(_rootWithSeparator, StringComparison.Ordinal);
}
