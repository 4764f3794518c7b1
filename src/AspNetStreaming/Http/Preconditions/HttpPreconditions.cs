using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace AspNetStreaming.Http.Preconditions;

/// <summary>
/// Evaluates conditional request headers against a representation's validators in the order RFC 9110 §13.2.2
/// prescribes (the framework evaluates them in another order and accepts an older <c>If-Range</c> date):
/// <c>If-Match</c> (strong comparison; <c>*</c>), else <c>If-Unmodified-Since</c> → 412; <c>If-None-Match</c>
/// (weak comparison; 304 for GET/HEAD, 412 otherwise), else <c>If-Modified-Since</c> for GET/HEAD → 304; then
/// <see cref="IfRangeAllowsRanges"/>. Dates in the future or that do not parse are ignored.
/// </summary>
internal static class HttpPreconditions
{
    /// <summary>Evaluates <c>If-Match</c>, <c>If-Unmodified-Since</c>, <c>If-None-Match</c> and
    /// <c>If-Modified-Since</c>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="entityTag">The representation's current entity tag, if it has one.</param>
    /// <param name="lastModified">The representation's last modification time, whole seconds, if known.</param>
    public static PreconditionOutcome Evaluate(HttpRequest request, EntityTagHeaderValue? entityTag, DateTimeOffset? lastModified)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = request.Headers;
        var now = DateTimeOffset.UtcNow;

        // Step 1 and 2: If-Match, else If-Unmodified-Since.
        var ifMatch = headers.IfMatch;
        if (ifMatch.Count > 0)
        {
            if (!AnyMatches(ifMatch, entityTag, strong: true))
            {
                return PreconditionOutcome.PreconditionFailed;
            }
        }
        else if (lastModified is { } modified && TryGetPastDate(headers.IfUnmodifiedSince, now, out var unmodifiedSince) && modified > unmodifiedSince)
        {
            return PreconditionOutcome.PreconditionFailed;
        }

        var isGetOrHead = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);

        // Step 3 and 4: If-None-Match, else If-Modified-Since (GET and HEAD only).
        var ifNoneMatch = headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            if (AnyMatches(ifNoneMatch, entityTag, strong: false))
            {
                return isGetOrHead ? PreconditionOutcome.NotModified : PreconditionOutcome.PreconditionFailed;
            }
        }
        else if (isGetOrHead && lastModified is { } modified && TryGetPastDate(headers.IfModifiedSince, now, out var modifiedSince) && modified <= modifiedSince)
        {
            return PreconditionOutcome.NotModified;
        }

        return PreconditionOutcome.Proceed;
    }

    /// <summary>Step 5: whether a <c>Range</c> header may be honoured given <c>If-Range</c>. True when there is
    /// no <c>If-Range</c>; otherwise only when it is a strong entity tag equal (strong comparison) to the
    /// current one, or an HTTP date exactly equal to the last modification time. Anything else, including a
    /// weak tag or an older date, means the whole representation must be sent.</summary>
    /// <param name="request">The request.</param>
    /// <param name="entityTag">The representation's current entity tag, if it has one.</param>
    /// <param name="lastModified">The representation's last modification time, whole seconds, if known.</param>
    public static bool IfRangeAllowsRanges(HttpRequest request, EntityTagHeaderValue? entityTag, DateTimeOffset? lastModified)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ifRange = request.Headers.IfRange;
        if (ifRange.Count == 0)
        {
            return true;
        }

        if (ifRange.Count > 1)
        {
            return false;
        }

        var value = ifRange.ToString().Trim();
        if (value.StartsWith('"') || value.StartsWith("W/", StringComparison.Ordinal))
        {
            return entityTag is { IsWeak: false }
                && EntityTagHeaderValue.TryParse(value, out var tag)
                && tag.Compare(entityTag, useStrongComparison: true);
        }

        return lastModified is { } modified && HeaderUtilities.TryParseDate(value, out var date) && date == modified;
    }

    private static bool AnyMatches(StringValues header, EntityTagHeaderValue? current, bool strong)
    {
        if (!EntityTagHeaderValue.TryParseStrictList(header, out var tags))
        {
            // A malformed list matches nothing: If-Match fails, If-None-Match passes.
            return false;
        }

        foreach (var tag in tags)
        {
            if (tag.Equals(EntityTagHeaderValue.Any))
            {
                return true;
            }

            if (current is not null && tag.Compare(current, strong))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryGetPastDate(StringValues header, DateTimeOffset now, out DateTimeOffset date)
    {
        date = default;
        return header.Count == 1 && HeaderUtilities.TryParseDate(header.ToString(), out date) && date <= now;
    }
}
