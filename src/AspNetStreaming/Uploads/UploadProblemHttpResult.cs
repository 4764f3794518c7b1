using AspNetStreaming.Responses;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>Answers a refused or failed upload with a ProblemDetails body (plus any headers the failure needs,
/// such as <c>Retry-After</c> or <c>Upload-Offset</c>). Nothing is written when the client is already gone.</summary>
public sealed class UploadProblemHttpResult : IResult, IStatusCodeHttpResult
{
    internal UploadProblemHttpResult(UploadException error) => Error = error;

    /// <summary>The failure.</summary>
    public UploadException Error { get; }

    /// <summary>The status code answered with (nothing is sent when <see cref="UploadException.Kind"/> is
    /// <see cref="UploadErrorKind.ClientGone"/>).</summary>
    public int StatusCode => Error.StatusCode;

    int? IStatusCodeHttpResult.StatusCode => Error.Kind == UploadErrorKind.ClientGone ? null : StatusCode;

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        // Only a request that is really gone goes unanswered: anything else gets its status, or Kestrel would send a
        // 200 with no body, which a client takes for a stored upload.
        if (httpContext.RequestAborted.IsCancellationRequested || httpContext.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        foreach (var (name, value) in Error.Headers ?? new Dictionary<string, string>())
        {
            httpContext.Response.Headers[name] = value;
        }

        if (Error.ClosesConnection && UploadIngestor.IsHttp1(httpContext.Request))
        {
            httpContext.Response.Headers.Connection = "close";
        }

        if (Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(Error.StatusCode).Length == 0
            && httpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>() is { } response)
        {
            response.ReasonPhrase = Error.Title; // a status HTTP does not name (tus' 460): its title, not an empty phrase
        }

        return Problems.Of(Error.StatusCode, Error.Title, Error.Detail, type: Error.ProblemType,
            extensions: Error.Extensions is { } extensions ? new Dictionary<string, object?>(extensions) : null).ExecuteAsync(httpContext);
    }
}
