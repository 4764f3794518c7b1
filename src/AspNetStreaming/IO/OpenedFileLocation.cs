using AspNetStreaming.IO.Native;
using Microsoft.Win32.SafeHandles;

namespace AspNetStreaming.IO;

/// <summary>
/// Where an open file really is, from the kernel (Linux's <c>/proc/self/fd/N</c>), checked against a root's canonical
/// path. The link walk that confines a request path runs before the open, so a directory swapped for a link in between
/// would be followed by the open; and a cached handle keeps pointing at its file after its directory is moved out of
/// the root and linked back. The kernel's path of the handle answers both: it is where the bytes come from.
/// </summary>
internal static class OpenedFileLocation
{
    private const int PathMax = 4096;

    /// <summary>Whether the file open as <paramref name="handle"/> lies under <paramref name="canonicalRoot"/> (a path
    /// with every link resolved, as <see cref="RootedPathResolver.ResolveRoot"/> gives it). Where the kernel cannot say
    /// (no <c>/proc</c>, another system) the answer is yes: the link walk before the open is then the only check.</summary>
    public static bool IsUnder(SafeFileHandle handle, string canonicalRoot)
    {
        var root = canonicalRoot.Length > 1 ? canonicalRoot.TrimEnd('/') : canonicalRoot;
        if (!OperatingSystem.IsLinux() || root == "/")
        {
            return true;
        }

        var prefix = "/proc/self/fd/"u8;
        Span<byte> link = stackalloc byte[32];
        prefix.CopyTo(link);
        var fd = (int)handle.DangerousGetHandle();
        if (!fd.TryFormat(link[prefix.Length..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture))
        {
            return true;
        }

        link[prefix.Length + digits] = 0;
        Span<byte> target = stackalloc byte[PathMax];
        var length = NativeMethods.Readlink(ref link[0], ref target[0], target.Length);
        if (length < 0)
        {
            return true; // no /proc mounted
        }

        // A target that fills the buffer was cut: it cannot be shown to be under the root.
        Span<byte> rootBytes = stackalloc byte[PathMax];
        if (length >= target.Length || !System.Text.Encoding.UTF8.TryGetBytes(root, rootBytes, out var rootLength))
        {
            return false;
        }

        return length > rootLength && target[rootLength] == (byte)'/' && target[..(int)length].StartsWith(rootBytes[..rootLength]);
    }
}
