using AspNetStreaming.Responses;
using AspNetStreaming.Http;
using AspNetStreaming.Diagnostics;
using AspNetStreaming.Http.Ranges;
using AspNetStreaming.IO;
using AspNetStreaming.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps a directory of files as endpoints.</summary>
public static class FileEndpointRouteBuilderExtensions
{
    private const string AllowedMethods = "GET, HEAD";

    /// <summary>Serves the files under <see cref="FileServingOptions.Root"/> (from the options registered with
    /// <c>AddStreamingFiles</c>) at <c>GET|HEAD {prefix}/{**path}</c>.</summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="prefix">The URL prefix, e.g. <c>/files</c>.</param>
    /// <returns>The endpoint's builder, to add conventions (authorization, caching, rate limiting) to it.</returns>
    /// <exception cref="DirectoryNotFoundException">The root does not exist (and no store is configured).</exception>
    public static RouteHandlerBuilder MapFiles(this IEndpointRouteBuilder endpoints, string prefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<FileServingOptions>>().Value;
        return endpoints.MapFiles(prefix, options);
    }

    /// <summary>Serves the files under <paramref name="options"/>' root at <c>GET|HEAD {prefix}/{**path}</c>, or, when
    /// <c>AddStreamingStorage</c> names <c>AzureBlob</c>, the blobs of its container (the blob's ETag and Last-Modified
    /// as validators; 503 with <c>Retry-After</c> while the store cannot be reached), with byte ranges, validators and
    /// preconditions (see <see cref="StreamingFileHttpResult"/>). Paths are
    /// confined to the root (see <see cref="RootedPathResolver"/>); anything refused or missing is a 404
    /// ProblemDetails, directories are never listed, and other methods get 405 with <c>Allow: GET, HEAD</c>.</summary>
    /// <exception cref="DirectoryNotFoundException">The root does not exist (checked at start-up, not per request).</exception>
    public static RouteHandlerBuilder MapFiles(this IEndpointRouteBuilder endpoints, string prefix, FileServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        FileServingOptions.Rules.ThrowIfInvalid(options);
        var contentRoot = endpoints.ServiceProvider.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
        var server = new FileServer(FileServer.CreateStore(endpoints.ServiceProvider, Path.Combine(contentRoot, options.Root), options), options.ToResultOptions(),
            ResponseServices.From(endpoints.ServiceProvider));

        var pattern = prefix.TrimEnd('/') + "/{**path}";

        // Any other method reaches an endpoint of its own (ordered after this one) so that the 405 carries a
        // ProblemDetails body and Allow header of ours rather than depending on the routing fallback.
        endpoints.Map(pattern, async (HttpContext context) =>
        {
            FileServingLog.MethodNotAllowed(RequestLoggers.For(context, ProducerResponse.LoggerCategory), context.Request.Method, context.Request.Path);
            context.Response.Headers.Allow = AllowedMethods;
            await Problems.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed", "Files can only be read, with GET or HEAD.");
        }).WithOrder(1).ExcludeFromDescription();

        // The header parameters are not read here (the response reads the request's headers itself): they describe
        // the endpoint in OpenAPI, as the statuses below do.
        return endpoints.MapMethods(pattern, [HttpMethods.Get, HttpMethods.Head], async (HttpContext context, string? path,
            [FromHeader(Name = "Range")] string? range, [FromHeader(Name = "If-Range")] string? ifRange,
            [FromHeader(Name = "If-None-Match")] string? ifNoneMatch, [FromHeader(Name = "If-Modified-Since")] string? ifModifiedSince,
            [FromHeader(Name = "If-Match")] string? ifMatch, [FromHeader(Name = "If-Unmodified-Since")] string? ifUnmodifiedSince) =>
        {
            if (!await server.TryServeAsync(context, path, ContentTypes.FromFileName))
            {
                await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "Not Found", "No such file.");
            }
        }).DescribeFiles();
    }
}
