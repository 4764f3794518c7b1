using System.Text;

namespace AspNetStreaming.Uploads;

/// <summary>Checks client-supplied file names: one plain segment, no separators, no dot segments or dot-files,
/// no control or reserved characters, no Windows device names, bounded length. Names are refused, not
/// rewritten, so a client never ends up with a file under a name it did not ask for.</summary>
internal static class UploadNames
{
    private static readonly string[] DeviceNames =
    [
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];

    /// <summary>Whether <paramref name="name"/> is acceptable as a file name.</summary>
    /// <param name="name">The name as the client sent it (already percent-decoded once).</param>
    /// <param name="maxLength">The most UTF-8 bytes allowed.</param>
    /// <param name="reason">Why it was refused (client-safe).</param>
    public static bool IsValid(string? name, int maxLength, out string? reason)
    {
        reason = null;
        if (string.IsNullOrEmpty(name))
        {
            reason = "the name is empty";
            return false;
        }

        if (Encoding.UTF8.GetByteCount(name) > maxLength)
        {
            reason = $"the name is longer than {maxLength} bytes";
            return false;
        }

        foreach (var c in name)
        {
            if (char.IsControl(c) || c is '/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|')
            {
                reason = "the name contains a path separator, a control or a reserved character";
                return false;
            }

            // Format characters (Unicode category Cf) are invisible: bidirectional controls make a name display other than
            // it is (U+202E turns "fdp.exe" into "exe.pdf"), and zero-width spaces, joiners, soft hyphens and byte-order
            // marks make two names that look the same ("invoice.pdf" and "invoice\u200B.pdf"). The zero-width joiner and
            // non-joiner stay: Persian and Indic spelling and emoji sequences need them.
            if (char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format && c is not '\u200C' and not '\u200D')
            {
                reason = "the name contains a bidirectional control or an invisible mark";
                return false;
            }
        }

        if (name.Contains("%2f", StringComparison.OrdinalIgnoreCase) || name.Contains("%5c", StringComparison.OrdinalIgnoreCase))
        {
            reason = "the name contains an encoded path separator";
            return false;
        }

        if (name[0] == '.')
        {
            reason = "names starting with a dot are reserved";
            return false;
        }

        if (name[^1] is '.' or ' ' || name[0] == ' ')
        {
            reason = "the name starts or ends with a space or ends with a dot";
            return false;
        }

        var stem = name.Split('.')[0].TrimEnd();
        foreach (var device in DeviceNames)
        {
            if (stem.Equals(device, StringComparison.OrdinalIgnoreCase))
            {
                reason = "the name is a reserved device name";
                return false;
            }
        }

        return true;
    }

    /// <summary>The last segment of a path-like client file name (browsers may send <c>C:\dir\a.txt</c>).</summary>
    public static string LastSegment(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var cut = name.LastIndexOfAny(['/', '\\']);
        return cut < 0 ? name : name[(cut + 1)..];
    }

    /// <summary>A fresh random name for uploads that do not name themselves.</summary>
    public static string Generate() => Guid.NewGuid().ToString("N");
}
