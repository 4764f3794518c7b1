using System.Text;

namespace AspNetStreaming.Cgi;

/// <summary>A CGI script's parsed response header block (RFC 3875 section 6).</summary>
internal sealed class CgiResponseHead
{
    public int? Status { get; private set; }

    public string? ContentType { get; private set; }

    public string? Location { get; private set; }

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>Finds the end of the header block (a blank line, LF or CRLF line ends).</summary>
    /// <returns>The offset just after the blank line, or -1 when it is not in <paramref name="data"/> yet.</returns>
    public static int FindEnd(ReadOnlySpan<byte> data)
    {
        var lineStart = 0;
        while (lineStart < data.Length)
        {
            var relative = data[lineStart..].IndexOf((byte)'\n');
            if (relative < 0)
            {
                return -1;
            }

            var end = lineStart + relative;
            if (relative == 0 || (relative == 1 && data[lineStart] == (byte)'\r'))
            {
                return end + 1;
            }

            lineStart = end + 1;
        }

        return -1;
    }

    /// <summary>Parses the header block (without the blank line).</summary>
    /// <returns>The head, or <see langword="null"/> with <paramref name="error"/> for a malformed block.</returns>
    public static CgiResponseHead? Parse(ReadOnlySpan<byte> block, out string? error)
    {
        var head = new CgiResponseHead();
        error = null;
        var text = Encoding.Latin1.GetString(block);
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.EndsWith('\r') ? rawLine[..^1] : rawLine;
            if (line.Length == 0)
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                error = "a header line without a field name and colon";
                return null;
            }

            var name = line[..colon];
            if (!name.All(IsTokenChar))
            {
                error = $"an invalid header field name '{name}'";
                return null;
            }

            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (value.Any(c => (c < 0x20 && c != '\t') || c == 0x7F))
            {
                error = $"a control character in header '{name}'";
                return null;
            }

            if (value.Any(c => c > 0x7F))
            {
                // Kestrel sends ASCII field values only (RFC 9110 keeps obs-text for old messages): refused here, as the
                // script's malformed output (502), rather than as an exception when the header is written (500).
                error = $"a non-ASCII byte in header '{name}'";
                return null;
            }

            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                if (value.Length < 3 || !int.TryParse(value.AsSpan(0, 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var status)
                    || status < 100 || status > 599 || (value.Length > 3 && value[3] != ' '))
                {
                    error = $"an invalid Status '{value}'";
                    return null;
                }

                head.Status = status;
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                head.ContentType = value;
            }
            else if (name.Equals("Location", StringComparison.OrdinalIgnoreCase))
            {
                head.Location = value;
            }
            else
            {
                head.Headers.Add(new(name, value));
            }
        }

        if (head.Status is null && head.ContentType is null && head.Location is null)
        {
            error = "neither Status, Content-Type nor Location";
            return null;
        }

        return head;
    }

    private static bool IsTokenChar(char c)
        => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9'
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
