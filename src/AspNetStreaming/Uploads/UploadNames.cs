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

        // By code point, not UTF-16 unit: a format character beyond the BMP (the tag characters, U+1D173...) is two
        // surrogates, neither of which is one; a lone surrogate is no character at all.
        var text = name.AsSpan();
        var afterBlackFlag = false; // emoji subdivision flags: U+1F3F4 followed by tag characters
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out var rune, out var units) != System.Buffers.OperationStatus.Done)
            {
                reason = "the name is not valid UTF-16 (a lone surrogate)";
                return false;
            }

            text = text[units..];
            if (Rune.IsControl(rune) || rune.Value is '/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|')
            {
                reason = "the name contains a path separator, a control or a reserved character";
                return false;
            }

            // Format characters (Unicode category Cf) are invisible: bidirectional controls make a name display other than
            // it is (U+202E turns "fdp.exe" into "exe.pdf"), and zero-width spaces, joiners, soft hyphens and byte-order
            // marks make two names that look the same ("invoice.pdf" and "invoice\u200B.pdf"). The zero-width joiner and
            // non-joiner stay (Persian and Indic spelling and emoji sequences need them), as do the tag characters of a
            // subdivision flag right after its black flag.
            var flagTag = afterBlackFlag && rune.Value is >= 0xE0020 and <= 0xE007F;
            afterBlackFlag = rune.Value == 0x1F3F4 || (flagTag && rune.Value != 0xE007F);
            if (Rune.GetUnicodeCategory(rune) == System.Globalization.UnicodeCategory.Format && rune.Value is not (0x200C or 0x200D) && !flagTag)
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
