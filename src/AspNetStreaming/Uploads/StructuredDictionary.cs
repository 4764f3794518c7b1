using System.Diagnostics.CodeAnalysis;

namespace AspNetStreaming.Uploads;

/// <summary>
/// RFC 8941 §4.2.2's dictionary, as the digest fields of RFC 9530 carry it (<c>Content-Digest</c>,
/// <c>Repr-Digest</c>, <c>Want-*-Digest</c>). Every member's syntax is checked, whatever its key, so that a string
/// holding a comma, a bare key (the boolean true), parameters and inner lists parse as the RFC says; a key given twice
/// keeps its last value. Two leniencies, both harmless to a digest: keys are folded to lower case, and a byte sequence
/// may lack its base64 padding (§3.3.5 asks parsers not to fail on that).
/// </summary>
internal static class StructuredDictionary
{
    /// <summary>What a member's value is; its parameters are checked and dropped.</summary>
    internal enum ValueKind
    {
        Integer,
        Decimal,
        String,
        Token,
        ByteSequence,
        Boolean,
        InnerList,
    }

    /// <summary>One member's value: an integer's or boolean's number, a byte sequence's bytes.</summary>
    internal readonly record struct Member(ValueKind Kind, long Number = 0, byte[]? Bytes = null);

    /// <summary>Parses a field's lines as the one dictionary they are (RFC 9110 §5.3: joined with ", ").</summary>
    public static bool TryParse(Microsoft.Extensions.Primitives.StringValues lines, [NotNullWhen(true)] out Dictionary<string, Member>? members)
        => TryParse(lines.Count == 1 ? lines[0] ?? "" : string.Join(", ", lines.Where(line => line is not null)), out members);

    /// <summary>Parses <paramref name="field"/> (several field lines joined with ", "); false when it is not a dictionary.</summary>
    public static bool TryParse(string field, [NotNullWhen(true)] out Dictionary<string, Member>? members)
    {
        members = null;
        var text = field.AsSpan();
        var at = 0;
        var parsed = new Dictionary<string, Member>(StringComparer.Ordinal);
        SkipWhitespace(text, ref at);
        while (at < text.Length)
        {
            if (!TryKey(text, ref at, out var key))
            {
                return false;
            }

            Member member;
            if (at < text.Length && text[at] == '=')
            {
                at++;
                if (at < text.Length && text[at] == '(')
                {
                    if (!TrySkipInnerList(text, ref at))
                    {
                        return false;
                    }

                    member = new Member(ValueKind.InnerList);
                }
                else if (!TryBareItem(text, ref at, out member))
                {
                    return false;
                }
            }
            else
            {
                member = new Member(ValueKind.Boolean, 1);
            }

            if (!TrySkipParameters(text, ref at))
            {
                return false;
            }

            parsed[key] = member;
            SkipWhitespace(text, ref at);
            if (at == text.Length)
            {
                break;
            }

            if (text[at] != ',')
            {
                return false;
            }

            at++;
            SkipWhitespace(text, ref at);
            if (at == text.Length)
            {
                return false; // a trailing comma
            }
        }

        members = parsed;
        return true;
    }

    private static void SkipWhitespace(ReadOnlySpan<char> text, ref int at)
    {
        while (at < text.Length && text[at] is ' ' or '\t')
        {
            at++;
        }
    }

    private static bool TryKey(ReadOnlySpan<char> text, ref int at, [NotNullWhen(true)] out string? key)
    {
        key = null;
        var start = at;
        if (at >= text.Length || !(char.IsAsciiLetter(text[at]) || text[at] == '*'))
        {
            return false;
        }

        while (at < text.Length && (char.IsAsciiLetterOrDigit(text[at]) || text[at] is '_' or '-' or '.' or '*'))
        {
            at++;
        }

        key = text[start..at].ToString().ToLowerInvariant();
        return true;
    }

    private static bool TrySkipParameters(ReadOnlySpan<char> text, ref int at)
    {
        while (at < text.Length && text[at] == ';')
        {
            at++;
            while (at < text.Length && text[at] == ' ')
            {
                at++;
            }

            if (!TryKey(text, ref at, out _))
            {
                return false;
            }

            if (at < text.Length && text[at] == '=')
            {
                at++;
                if (!TryBareItem(text, ref at, out _))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool TrySkipInnerList(ReadOnlySpan<char> text, ref int at)
    {
        at++; // '('
        while (at < text.Length)
        {
            while (at < text.Length && text[at] == ' ')
            {
                at++;
            }

            if (at < text.Length && text[at] == ')')
            {
                at++;
                return TrySkipParameters(text, ref at);
            }

            if (!TryBareItem(text, ref at, out _) || !TrySkipParameters(text, ref at)
                || (at < text.Length && text[at] is not (' ' or ')')))
            {
                return false;
            }
        }

        return false; // no closing parenthesis
    }

    private static bool TryBareItem(ReadOnlySpan<char> text, ref int at, out Member item)
    {
        item = default;
        if (at >= text.Length)
        {
            return false;
        }

        var c = text[at];
        return c switch
        {
            '-' or (>= '0' and <= '9') => TryNumber(text, ref at, out item),
            '"' => TrySkipString(text, ref at, out item),
            ':' => TryByteSequence(text, ref at, out item),
            '?' => TryBoolean(text, ref at, out item),
            '*' or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') => SkipToken(text, ref at, out item),
            _ => false,
        };
    }

    // §4.2.4: at most 15 digits for an integer; a decimal has at most 12 before the point and 1 to 3 after it.
    private static bool TryNumber(ReadOnlySpan<char> text, ref int at, out Member item)
    {
        item = default;
        var start = at;
        if (text[at] == '-')
        {
            at++;
        }

        var digitsStart = at;
        while (at < text.Length && char.IsAsciiDigit(text[at]))
        {
            at++;
        }

        var whole = at - digitsStart;
        if (whole == 0)
        {
            return false;
        }

        if (at < text.Length && text[at] == '.')
        {
            at++;
            var fractionStart = at;
            while (at < text.Length && char.IsAsciiDigit(text[at]))
            {
                at++;
            }

            var fraction = at - fractionStart;
            item = new Member(ValueKind.Decimal);
            return whole <= 12 && fraction is >= 1 and <= 3;
        }

        if (whole > 15)
        {
            return false;
        }

        item = new Member(ValueKind.Integer, long.Parse(text[start..at], System.Globalization.CultureInfo.InvariantCulture));
        return true;
    }

    private static bool TrySkipString(ReadOnlySpan<char> text, ref int at, out Member item)
    {
        item = new Member(ValueKind.String);
        for (at++; at < text.Length; at++)
        {
            var c = text[at];
            if (c == '\\')
            {
                if (++at >= text.Length || text[at] is not ('"' or '\\'))
                {
                    return false;
                }
            }
            else if (c == '"')
            {
                at++;
                return true;
            }
            else if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return false;
    }

    private static bool TryByteSequence(ReadOnlySpan<char> text, ref int at, out Member item)
    {
        item = default;
        var start = ++at;
        while (at < text.Length && (char.IsAsciiLetterOrDigit(text[at]) || text[at] is '+' or '/' or '='))
        {
            at++;
        }

        if (at >= text.Length || text[at] != ':')
        {
            return false;
        }

        var base64 = text[start..at].ToString();
        at++;
        base64 += new string('=', (4 - (base64.Length % 4)) % 4);
        var bytes = new byte[base64.Length / 4 * 3];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            return false;
        }

        item = new Member(ValueKind.ByteSequence, Bytes: bytes[..written]);
        return true;
    }

    private static bool TryBoolean(ReadOnlySpan<char> text, ref int at, out Member item)
    {
        item = default;
        if (at + 1 >= text.Length || text[at + 1] is not ('0' or '1'))
        {
            return false;
        }

        item = new Member(ValueKind.Boolean, text[at + 1] - '0');
        at += 2;
        return true;
    }

    // tchar, ':' and '/' (§3.3.4).
    private static bool SkipToken(ReadOnlySpan<char> text, ref int at, out Member item)
    {
        item = new Member(ValueKind.Token);
        for (at++; at < text.Length && (char.IsAsciiLetterOrDigit(text[at]) || "!#$%&'*+-.^_`|~:/".Contains(text[at])); at++)
        {
        }

        return true;
    }
}
