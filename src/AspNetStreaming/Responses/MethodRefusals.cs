using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AspNetStreaming.Responses;

/// <summary>
/// The 405 of a URL a protocol owns. Without it, a sibling mapping with a parameter takes the methods the protocol does
/// not map: raw uploads at <c>/uploads/{name}</c> stored <c>PUT /uploads/tus</c> as a file named "tus" and advertised
/// PUT in the protocol URL's <c>Allow</c>. A literal route outranks a parameter, so an endpoint of ours for the other
/// methods answers them: 405, the protocol's <c>Allow</c>, a ProblemDetails body.
/// </summary>
internal static class MethodRefusals
{
    private static readonly string[] Common =
        [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete];

    public static void MapOtherMethodsTo405(this IEndpointRouteBuilder endpoints, string pattern, params string[] allowed)
    {
        var others = Common.Where(method => !allowed.Contains(method, StringComparer.OrdinalIgnoreCase)).ToArray();
        var allow = string.Join(", ", allowed);
        endpoints.MapMethods(pattern, others, (HttpContext context) =>
        {
            context.Response.Headers.Allow = allow;
            return Problems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed", $"This URL answers {allow}.");
        }).ExcludeFromDescription();
    }
}
