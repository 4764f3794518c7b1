using AspNetStreaming.IO.Native;

namespace AspNetStreaming.IO;

/// <summary>
/// Maps a relative request path to a file under a root directory, refusing anything that could reach
/// outside it: <c>..</c> and <c>.</c> segments, backslashes, encoded separators (<c>%2F</c>, <c>%5C</c>),
/// NUL and other control characters, and symbolic links (at any depth) whose target lies outside the root.
/// Dot-files and dot-directories are hidden unless allowed.
/// </summary>
/// <remarks>The root is resolved afresh, every link of it and of its parents followed, on each lookup: a root that is
/// (or lies under) a link re-pointed by a deploy is served from its new target on the next request.</remarks>
public sealed class RootedPathResolver
{
    private const int PathMax = 4096;
    private readonly string _configuredRoot;

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

        _configuredRoot = Path.TrimEndingDirectorySeparator(full);
        AllowDotFiles = allowDotFiles;
    }

    /// <summary>The root directory as it resolves now: its canonical path, every link of it and of its parents
    /// followed. Each read resolves it again (a few system calls), so a re-pointed link is seen at once.</summary>
    public string Root => ResolveRoot();

    /// <summary>The root as configured (absolute, links not followed): the path whose lookups follow a re-pointed link.</summary>
    internal string ConfiguredRoot => _configuredRoot;

    /// <summary>Whether names starting with a dot may be resolved.</summary>
    public bool AllowDotFiles { get; }

    /// <summary>Resolves <paramref name="relativePath"/> (segments separated by <c>/</c>) to a path under the root.</summary>
    /// <param name="relativePath">The path as it came from the request (already percent-decoded once).</param>
    /// <param name="fullPath">The resolved path (which may not exist) when the method returns <see langword="true"/>.</param>
    /// <param name="reason">Why the path was refused, for the log (never for the client).</param>
    /// <returns>Whether the path is safe to look up.</returns>
    public bool TryResolve(string? relativePath, out string fullPath, out string? reason)
    {
        fullPath = _configuredRoot;
        return IsAcceptableName(relativePath, out reason) && TryResolveAccepted(relativePath, ResolveRoot(), out fullPath, out reason);
    }

    /// <summary>The canonical path of the root now (see <see cref="Root"/>); the configured path where it cannot be
    /// resolved (a dangling link: every lookup under it then finds nothing).</summary>
    internal string ResolveRoot()
    {
        if (Canonical(_configuredRoot) is { } canonical)
        {
            return canonical;
        }

        try
        {
            var link = new DirectoryInfo(_configuredRoot).ResolveLinkTarget(returnFinalTarget: true);
            return Path.TrimEndingDirectorySeparator(link?.FullName ?? _configuredRoot);
        }
        catch (IOException)
        {
            return _configuredRoot;
        }
    }

    // realpath(3): every link of the path and of its parents resolved, as the kernel names an open file
    // (OpenedFileLocation), so the root and a link's target compare as the same kind of path. Null off Linux, or where
    // it fails (a missing target, a loop), for the caller's fallback.
    private static string? Canonical(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> resolved = stackalloc byte[PathMax + 1];
        if (NativeMethods.Realpath(path, ref resolved[0]) == IntPtr.Zero)
        {
            return null;
        }

        return System.Text.Encoding.UTF8.GetString(resolved[..resolved.IndexOf((byte)0)]);
    }

    /// <summary>The look at the disk of <see cref="TryResolve"/>, for a name <see cref="IsAcceptableName"/> accepted:
    /// each segment's link followed and checked to stay under <paramref name="root"/> (<see cref="ResolveRoot"/>'s answer).</summary>
    internal static bool TryResolveAccepted(string relativePath, string root, out string fullPath, out string? reason)
    {
        fullPath = root;
        reason = null;
        var current = root;
        foreach (var segment in relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Join(current, segment);
            FileSystemInfo info = new FileInfo(next);
            if (info.LinkTarget is not null && Canonical(next) is { } canonical)
            {
                // An absolute target through a linked parent (or through the configured root's own link) included.
                if (!IsUnder(canonical, root))
                {
                    reason = "symbolic link leaves the root";
                    return false;
                }

                next = canonical;
            }
            else if (info.LinkTarget is not null)
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

                if (target is null || !IsUnder(target.FullName, root))
                {
                    reason = "symbolic link leaves the root";
                    return false;
                }

                next = target.FullName;
            }

            current = next;
        }

        if (!IsUnder(current, root))
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

            if (segment[0] == '.' && !AllowDotFiles && !IsWellKnownDirectory(segment, isLast: range.End.GetOffset(name.Length) == name.Length))
            {
                reason = "dot-file";
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 8615's <c>/.well-known/</c> directory is public by design (ACME challenges, security.txt, app links):
    /// a directory of that name is served though dot names are hidden; dot files in it, and the name on its own, are
    /// not. One rule for the disk and the blob store.</summary>
    internal static bool IsWellKnownDirectory(ReadOnlySpan<char> segment, bool isLast) => !isLast && segment is ".well-known";

    private static bool IsUnder(string path, string root)
        => path.Length > root.Length && path.StartsWith(root, StringComparison.Ordinal)
            && (path[root.Length] == Path.DirectorySeparatorChar || Path.EndsInDirectorySeparator(root));
}
