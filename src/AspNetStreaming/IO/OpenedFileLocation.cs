using System.Text;
using AspNetStreaming.IO.Native;
using Microsoft.Win32.SafeHandles;

namespace AspNetStreaming.IO;

/// <summary>
/// Where an open file really is, from the kernel (Linux's <c>/proc/self/fd/N</c>), checked against a root's canonical
/// path. The link walk that confines a request path runs before the open, so a directory swapped for a link in between
/// would be followed by the open; and a cached handle keeps pointing at its file after its directory is moved out of
/// the root and linked back. The kernel's path of the handle answers both: it is where the bytes come from.
/// </summary>
internal sealed class OpenedFileLocation
{
    private const int PathMax = 4096;
    private static readonly byte[] FdPrefix = "/proc/self/fd/"u8.ToArray();
    private readonly byte[] _root; // canonical, without a trailing slash

    /// <summary>A check against <paramref name="root"/>, resolved to its canonical path once (every link of it and of
    /// its parents).</summary>
    public OpenedFileLocation(string root)
    {
        var resolved = new byte[PathMax + 1];
        var canonical = OperatingSystem.IsLinux() && NativeMethods.Realpath(root, resolved) != IntPtr.Zero
            ? Encoding.UTF8.GetString(resolved, 0, Array.IndexOf(resolved, (byte)0))
            : root;
        _root = Encoding.UTF8.GetBytes(canonical.Length > 1 ? canonical.TrimEnd('/') : canonical);
    }

    /// <summary>Whether the file open as <paramref name="handle"/> lies under the root. Where the kernel cannot say (no
    /// <c>/proc</c>, another system) the answer is yes: the link walk before the open is then the only check.</summary>
    public bool Contains(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux() || _root is [(byte)'/'])
        {
            return true;
        }

        Span<byte> link = stackalloc byte[32];
        FdPrefix.CopyTo(link);
        var fd = (int)handle.DangerousGetHandle();
        if (!fd.TryFormat(link[FdPrefix.Length..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture))
        {
            return true;
        }

        link[FdPrefix.Length + digits] = 0;
        Span<byte> target = stackalloc byte[PathMax];
        var length = NativeMethods.Readlink(ref link[0], ref target[0], target.Length);
        if (length < 0)
        {
            return true; // no /proc mounted
        }

        // A target that fills the buffer was cut: it cannot be shown to be under the root.
        return length < target.Length && length > _root.Length && target[_root.Length] == (byte)'/'
            && target[..(int)length].StartsWith(_root);
    }
}
