using AspNetStreaming.Responses;
using AspNetStreaming.Http.Preconditions;
using AspNetStreaming.Producers;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace AspNetStreaming.Http.Ranges;

/// <summary>
/// Sends a <see cref="RandomAccessSource"/> with validators, preconditions (RFC 9110 §13.2.2) and ranges
/// (§14): 200, 206 (one range, or <c>multipart/byteranges</c>), 304, 412 or 416. The body always goes through
/// <see cref="ProducerResponse"/>, which disposes the producer on every path; the producer owns the source from
/// the moment it is made, and until then this code does, so the source (the open file) is closed exactly once
/// on every path, including 304, 412, 416 and HEAD.
/// </summary>
internal static class RepresentationResponse
{
    /// <summary>Sends <paramref name="source"/> as <paramref name="contentType"/>; <paramref name="prepare"/>, if any (a
    /// middleware's <c>OnPrepareResponse</c>), runs once the status is decided, as StaticFiles runs it: it sees that
    /// status, may set headers and the <c>Content-Type</c>, and may refuse with a status of its own (a 401), in which
    /// case nothing of the file is sent.</summary>
    public static Task SendAsync(HttpContext context, RandomAccessSource source, FileResultOptions options, string contentType, Action<HttpContext>? prepare = null,
        ResponseServices? services = null)
    {
        var handedOver = false;
        try
        {
            return SendCore(context, source, options, contentType, prepare, services, ref handedOver);
        }
        finally
        {
            if (!handedOver)
            {
                source.Dispose();
            }
        }
    }

    private static Microsoft.Extensions.Logging.ILogger LoggerOf(HttpContext context, ResponseServices? services)
        => services?.Logger ?? RequestLoggers.For(context, ProducerResponse.LoggerCategory);

    private static Task SendCore(HttpContext context, RandomAccessSource source, FileResultOptions options, string contentType, Action<HttpContext>? prepare,
        ResponseServices? services, ref bool handedOver)
    {
        var request = context.Request;
        var response = context.Response;
        var headers = response.Headers;
        var length = source.Length;

        var entityTagText = options.EntityTag?.ToString() ?? source.DefaultEntityTag;
        var lastModified = ToWholeSeconds(options.LastModified ?? source.DefaultLastModified);
        var future = false;
        if (lastModified > DateTimeOffset.UtcNow)
        {
            // RFC 9110 8.8.2.1: a time later than the response's Date (a clock set wrong, a file from the future) MUST
            // be replaced by that Date, or no revalidation with it would ever get a 304. Kestrel's Date is the second
            // its heartbeat last saw (up to a second behind the clock): one second back is never later than it.
            lastModified = ToWholeSeconds(DateTimeOffset.UtcNow.AddSeconds(-1));
            future = true;
        }

        if (entityTagText is not null)
        {
            headers.ETag = entityTagText;
        }

        if (lastModified is { } modified)
        {
            headers.LastModified = (options.LastModified is null && !future ? source.FormattedLastModified : null) ?? HeaderUtilities.FormatDate(modified);
        }

        if (options.CacheControl is not null)
        {
            headers.CacheControl = options.CacheControl;
        }

        var requestHeaders = request.Headers;
        EntityTagHeaderValue? entityTag = null;
        if (requestHeaders.IfMatch.Count > 0 || requestHeaders.IfNoneMatch.Count > 0 || requestHeaders.IfRange.Count > 0)
        {
            entityTag = options.EntityTag ?? (entityTagText is null ? null : EntityTagHeaderValue.Parse(entityTagText));
        }

        if (requestHeaders.IfMatch.Count > 0 || requestHeaders.IfNoneMatch.Count > 0
            || requestHeaders.IfModifiedSince.Count > 0 || requestHeaders.IfUnmodifiedSince.Count > 0)
        {
            switch (HttpPreconditions.Evaluate(request, entityTag, lastModified))
            {
                case PreconditionOutcome.NotModified:
                    Prepared(context, prepare, StatusCodes.Status304NotModified, ref contentType);
                    response.StatusCode = StatusCodes.Status304NotModified;
                    return Task.CompletedTask;
                case PreconditionOutcome.PreconditionFailed:
                    if (!Prepared(context, prepare, StatusCodes.Status412PreconditionFailed, ref contentType))
                    {
                        return Task.CompletedTask;
                    }

                    FileServingLog.PreconditionFailed(LoggerOf(context, services), request.Method, request.Path);
                    headers.CacheControl = default;
                    return Problems.WriteAsync(context, StatusCodes.Status412PreconditionFailed, "Precondition Failed",
                        "The representation does not match the request's preconditions.");
            }
        }

        // The download name and the encoded-body rule hold for every representation, a length known or not.
        if (options.FileDownloadName is { } downloadName)
        {
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(downloadName);
            headers.ContentDisposition = disposition.ToString();
        }

        if (length is not { } total)
        {
            if (requestHeaders.AcceptEncoding.Count > 0 && entityTagText is not null)
            {
                response.OnStarting(WeakenIfEncoded, response);
            }

            if (!Prepared(context, prepare, StatusCodes.Status200OK, ref contentType))
            {
                return Task.CompletedTask;
            }

            var unbounded = SourceBodyProducer.ForRange(source, 0, null, options.ReadSize);
            handedOver = true;
            return ProducerResponse.SendAsync(context, unbounded, contentType, services: services);
        }

        var rangesEnabled = options.EnableRangeProcessing;
        if (rangesEnabled)
        {
            headers.AcceptRanges = "bytes";
        }

        var rangeHeader = requestHeaders.Range;
        if (rangesEnabled && rangeHeader.Count > 0
            && HttpMethods.IsGet(request.Method) // RFC 9110 14.2: range handling is defined for GET only; HEAD answers 200
            && HttpPreconditions.IfRangeAllowsRanges(request, entityTag, lastModified))
        {
            var evaluation = rangeHeader.Count == 1
                ? ByteRangeParser.Evaluate(rangeHeader.ToString(), total, options.MaxRanges)
                : RangeEvaluation.Ignored("several Range headers");
            switch (evaluation.Outcome)
            {
                case RangeOutcome.NotSatisfiable:
                    if (!Prepared(context, prepare, StatusCodes.Status416RangeNotSatisfiable, ref contentType))
                    {
                        return Task.CompletedTask;
                    }

                    FileServingLog.RangeNotSatisfiable(LoggerOf(context, services), rangeHeader.ToString(), request.Path, total);
                    return SendNotSatisfiableAsync(context, total);
                case RangeOutcome.Partial when !Prepared(context, prepare, StatusCodes.Status206PartialContent, ref contentType):
                    return Task.CompletedTask;
                case RangeOutcome.Partial when evaluation.Ranges.Count == 1:
                    var range = evaluation.Ranges[0];
                    headers.ContentRange = FormatContentRange(range, total);
                    handedOver = true;
                    return ProducerResponse.SendAsync(context, SourceBodyProducer.ForRange(source, range.Start, range.Length, options.ReadSize), contentType,
                        StatusCodes.Status206PartialContent, source.SendsHeadersFirst, services);
                case RangeOutcome.Partial:
                    var multipart = MultipartByteRanges.Create(source, evaluation.Ranges, contentType, total, options.ReadSize, out var multipartType);
                    handedOver = true;
                    return ProducerResponse.SendAsync(context, multipart, multipartType, StatusCodes.Status206PartialContent, source.SendsHeadersFirst, services);
                default:
                    if (evaluation.IgnoredReason is { } reason)
                    {
                        FileServingLog.RangeIgnored(LoggerOf(context, services), rangeHeader.ToString(), request.Path, reason);
                    }

                    break;
            }
        }

        if (requestHeaders.AcceptEncoding.Count > 0 && (entityTagText is not null || rangesEnabled))
        {
            response.OnStarting(WeakenIfEncoded, response);
        }

        if (!Prepared(context, prepare, StatusCodes.Status200OK, ref contentType))
        {
            return Task.CompletedTask;
        }

        handedOver = true;
        return ProducerResponse.SendAsync(context, SourceBodyProducer.ForRange(source, 0, total, options.ReadSize), contentType, StatusCodes.Status200OK, source.SendsHeadersFirst, services);
    }

    // The middleware's OnPrepareResponse, with the status it is about to get; false when it chose another one (an
    // authorization gate's 401): that status stands and nothing of the file is sent. A Content-Type it set is kept.
    private static bool Prepared(HttpContext context, Action<HttpContext>? prepare, int status, ref string contentType)
    {
        if (prepare is null)
        {
            return true;
        }

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType; // as StaticFiles has set it when its callback runs
        prepare(context);
        if (response.StatusCode != status)
        {
            return false;
        }

        if (response.ContentType is { Length: > 0 } chosen)
        {
            contentType = chosen;
        }

        return true;
    }

    // Response compression decides when the response starts: an encoded body is not the bytes the strong tag names, and
    // its byte ranges are not the identity's (a resume with If-Range and a range of the gzip bytes gets a file that is
    // neither). So the tag becomes weak (If-Range then refuses it, If-None-Match still matches it) and Accept-Ranges goes
    // (RFC 9110 8.8.1, 8.8.3, 14.3); a range request itself is never compressed.
    private static readonly Func<object, Task> WeakenIfEncoded = static state =>
    {
        var headers = ((HttpResponse)state).Headers;
        if (headers.ContentEncoding.Count > 0)
        {
            if (headers.ETag.ToString() is { Length: > 0 } tag && tag[0] == '"')
            {
                headers.ETag = "W/" + tag;
            }

            headers.AcceptRanges = default;
        }

        return Task.CompletedTask;
    };

    private static Task SendNotSatisfiableAsync(HttpContext context, long length)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
        response.Headers.ContentRange = "bytes */" + length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers.ContentDisposition = default;
        response.ContentLength = 0;

        // RFC 9110 §15.5.17: the Content-Range is the answer; keep status-code-page middleware from adding a body.
        if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
        {
            statusCodePages.Enabled = false;
        }

        return Task.CompletedTask;
    }

    private static string FormatContentRange(ByteRange range, long total)
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"bytes {range.Start}-{range.End}/{total}");

    private static DateTimeOffset? ToWholeSeconds(DateTimeOffset? value)
    {
        if (value is not { } time)
        {
            return null;
        }

        var utc = time.UtcDateTime;
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }
}
