using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AspNetStreaming.Responses;

/// <summary>
/// The 405 of a URL a protocol owns. Without it, a sibling mapping with a parameter takes the methods the protocol does
/// not map: raw uploads at <c>/uploads/{name}</c> stored <c>PUT /uploads/tus</c> as a file named "tus" and advertised
/// PUT in the protocol URL's <c>Allow</c>. A literal route outranks a parameter, so an endpoint of ours answers the
/// other methods: 405, the protocol's <c>Allow</c>, a ProblemDetails body. It has no method metadata, so routing ranks
/// it below every endpoint that names its methods on the same URL (the protocol's own, or an app's <c>MapGet</c> there):
/// it takes only what nothing else answers, every method included.
/// </summary>
internal static class MethodRefusals
{
    public static void MapOtherMethodsTo405(this IEndpointRouteBuilder endpoints, string pattern, params string[] allowed)
    {
        var allow = string.Join(", ", allowed);
        endpoints.Map(pattern, (HttpContext context) =>
        {
            context.Response.Headers.Allow = allow;
            return Problems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed", $"This URL answers {allow}.");
        }).ExcludeFromDescription();
    }
}
