using AspNetStreaming.Http.Preconditions;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Xunit.Abstractions;

namespace AspNetStreaming.Tests.Properties;

/// <summary>For random sets of conditional headers, methods and validators, the evaluation equals a reference model of
/// RFC 9110 §13.2.2 written here from the RFC's text (with its own entity-tag parser), not from the code.</summary>
public sealed class PreconditionPropertyTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset LastModified = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private static readonly Gen<string> Tag = Gen.OneOf("\"v1\"", "W/\"v1\"", "\"v2\"", "W/\"v2\"", "\"\"", "garbage", "\"unterminated", "W/v1");

    // An If-Match/If-None-Match value: "*" alone, or a list of tags.
    private static readonly Gen<string> TagList = Gen.OneOf(Gen.Const("*"),
        Gen.Select(Tag.Array[1, 3], Gen.OneOf(",", ", ", " , "), (tags, separator) => string.Join(separator, tags)));

    private static readonly Gen<string> Date = Gen.OneOf(
        Http(LastModified.AddHours(-1)), Http(LastModified.AddSeconds(-1)), Http(LastModified), Http(LastModified.AddSeconds(1)),
        Http(LastModified.AddHours(1)), Http(DateTimeOffset.UtcNow.AddDays(2)), "yesterday", "");

    // Each header absent, or one value, or (for dates) two values (more than one member: ignored).
    private static Gen<string[]?> Field(Gen<string> value, bool allowTwo) => Gen.Frequency(
        (3, Gen.Const<string[]?>((string[]?)null)),
        (3, value.Select(v => (string[]?)[v])),
        (allowTwo ? 1 : 0, Gen.Select(value, value, (a, b) => (string[]?)[a, b])));

    private static readonly Gen<Case> Cases = Gen.Select(
        Gen.OneOf("GET", "HEAD", "POST", "PUT", "DELETE"),
        Gen.OneOf<string?>("\"v1\"", "W/\"v1\"", null),
        Gen.Bool,
        Field(TagList, allowTwo: false), Field(Date, allowTwo: true), Field(TagList, allowTwo: false), Field(Date, allowTwo: true),
        (method, tag, hasDate, ifMatch, ifUnmodifiedSince, ifNoneMatch, ifModifiedSince)
            => new Case(method, tag, hasDate ? LastModified : null, ifMatch, ifUnmodifiedSince, ifNoneMatch, ifModifiedSince));

    [Fact]
    public void EvaluationEqualsTheRfcModel()
        => PropertyRun.Check(output, "Preconditions vs RFC 9110 model", Cases, c =>
        {
            var request = new DefaultHttpContext().Request;
            request.Method = c.Method;
            Set(request, HeaderNames.IfMatch, c.IfMatch);
            Set(request, HeaderNames.IfUnmodifiedSince, c.IfUnmodifiedSince);
            Set(request, HeaderNames.IfNoneMatch, c.IfNoneMatch);
            Set(request, HeaderNames.IfModifiedSince, c.IfModifiedSince);
            var actual = HttpPreconditions.Evaluate(request, c.Tag is null ? null : EntityTagHeaderValue.Parse(c.Tag), c.LastModified);
            Assert.True(Model(c) == actual, $"{c}: model {Model(c)}, code {actual}");
        }, cases: 20_000, stream: 3);

    /// <summary>RFC 9110 §13.2.2, steps 1 to 4 (step 5, If-Range, is decided with the range).</summary>
    private static PreconditionOutcome Model(Case c)
    {
        var getOrHead = c.Method is "GET" or "HEAD";

        // 1. If-Match present: false unless "*" (a current representation exists) or a strong match of a listed tag.
        if (c.IfMatch is { } ifMatch)
        {
            if (!Matches(ifMatch[0], c.Tag, strong: true))
            {
                return PreconditionOutcome.PreconditionFailed;
            }
        }

        // 2. Else If-Unmodified-Since: one valid HTTP-date (§13.1.4), failed when the representation is newer.
        else if (c.LastModified is { } modified && OneDate(c.IfUnmodifiedSince) is { } since && modified > since)
        {
            return PreconditionOutcome.PreconditionFailed;
        }

        // 3. If-None-Match present: false when "*" or a weak match; then 304 for GET/HEAD, else 412.
        if (c.IfNoneMatch is { } ifNoneMatch)
        {
            if (Matches(ifNoneMatch[0], c.Tag, strong: false))
            {
                return getOrHead ? PreconditionOutcome.NotModified : PreconditionOutcome.PreconditionFailed;
            }
        }

        // 4. Else GET/HEAD with If-Modified-Since: one valid date not later than now (§13.1.3); 304 when not newer.
        else if (getOrHead && c.LastModified is { } modified && OneDate(c.IfModifiedSince) is { } since && since <= DateTimeOffset.UtcNow && modified <= since)
        {
            return PreconditionOutcome.NotModified;
        }

        return PreconditionOutcome.Proceed;
    }

    // If-Match = "*" / #entity-tag; entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE. A list that does not parse matches nothing.
    private static bool Matches(string field, string? current, bool strong)
    {
        if (field.Trim() == "*")
        {
            return true;
        }

        var tags = new List<(bool Weak, string Opaque)>();
        foreach (var member in field.Split(','))
        {
            var text = member.Trim();
            var weak = text.StartsWith("W/", StringComparison.Ordinal);
            var opaque = weak ? text[2..] : text;
            if (opaque.Length < 2 || opaque[0] != '"' || opaque[^1] != '"' || opaque[1..^1].Contains('"', StringComparison.Ordinal))
            {
                return false;
            }

            tags.Add((weak, opaque));
        }

        if (current is null)
        {
            return false;
        }

        var currentWeak = current.StartsWith("W/", StringComparison.Ordinal);
        var currentOpaque = currentWeak ? current[2..] : current;
        // Strong comparison: both strong and the same opaque tag; weak comparison: the same opaque tag.
        return tags.Any(tag => tag.Opaque == currentOpaque && (!strong || (!tag.Weak && !currentWeak)));
    }

    private static DateTimeOffset? OneDate(string[]? field)
        => field is [var only] && HeaderUtilities.TryParseDate(only, out var date) ? date : null;

    private static void Set(HttpRequest request, string name, string[]? values)
    {
        if (values is not null)
        {
            request.Headers[name] = new StringValues(values);
        }
    }

    private static string Http(DateTimeOffset time) => HeaderUtilities.FormatDate(time);

    internal sealed record Case(string Method, string? Tag, DateTimeOffset? LastModified, string[]? IfMatch, string[]? IfUnmodifiedSince,
        string[]? IfNoneMatch, string[]? IfModifiedSince)
    {
        public override string ToString() => $"{Method} tag={Tag ?? "none"} lm={(LastModified is null ? "none" : "set")} If-Match={Show(IfMatch)} "
            + $"If-Unmodified-Since={Show(IfUnmodifiedSince)} If-None-Match={Show(IfNoneMatch)} If-Modified-Since={Show(IfModifiedSince)}";

        private static string Show(string[]? values) => values is null ? "-" : "[" + string.Join(" | ", values) + "]";
    }
}
