using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AspNetStreaming.Responses;

/// <summary>The one ProblemDetails writer of every feature: status, title, detail and (where a specification defines
/// one) a type, written through the app's <c>IProblemDetailsService</c> when it has one, which adds the
/// <c>traceId</c>. Each feature logs its own event before it answers.</summary>
internal static class Problems
{
    public static ProblemHttpResult Of(int statusCode, string title, string? detail = null, string? type = null,
        IDictionary<string, object?>? extensions = null)
        => TypedResults.Problem(detail: detail, statusCode: statusCode, title: title, type: type, extensions: extensions);

    public static Task WriteAsync(HttpContext context, int statusCode, string title, string? detail = null, string? type = null)
        => Of(statusCode, title, detail, type).ExecuteAsync(context);
}
