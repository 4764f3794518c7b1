using AspNetStreaming.Responses;
using AspNetStreaming.Http;
using AspNetStreaming.Diagnostics;
using AspNetStreaming.IO;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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
    public static RouteHandlerBuilder MapFiles(this IEndpointRouteBuilder endpoints, string prefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<FileServingOptions>>().Value;
        return endpoints.MapFiles(prefix, options);
    }

    /// <summary>Serves the files under <paramref name="options"/>' root at <c>GET|HEAD {prefix}/{**path}</c>,
    /// with byte ranges, validators and preconditions (see <see cref="StreamingFileHttpResult"/>). Paths are
    /// confined to the root (see <see cref="RootedPathResolver"/>); anything refused or missing is a 404
    /// ProblemDetails, directories are never listed, and other methods get 405 with <c>Allow: GET, HEAD</c>.</summary>
    /// <exception cref="DirectoryNotFoundException">The root does not exist (checked at start-up, not per request).</exception>
    public static RouteHandlerBuilder MapFiles(this IEndpointRouteBuilder endpoints, string prefix, FileServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        FileServingOptions.Rules.ThrowIfInvalid(options);
        var contentRoot = endpoints.ServiceProvider.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
        var resolver = new RootedPathResolver(Path.Combine(contentRoot, options.Root), options.AllowDotFiles);

        var resultOptions = options.ToResultOptions();
        var pattern = prefix.TrimEnd('/') + "/{**path}";

        // Every method reaches this one endpoint so that the 405 carries a ProblemDetails body and Allow header
        // of our own rather than depending on the routing fallback.
        return endpoints.Map(pattern, (HttpContext context, string? path) =>
        {
            var method = context.Request.Method;
            if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
            {
                FileServingLog.MethodNotAllowed(RequestLoggers.For(context, ProducerResponse.LoggerCategory), method, context.Request.Path);
                context.Response.Headers.Allow = AllowedMethods;
                return NotAllowed();
            }

            if (!resolver.TryResolve(path, out var fullPath, out var reason))
            {
                StreamingLog.PathRejected(RequestLoggers.For(context, ProducerResponse.LoggerCategory), context.Request.Path, reason ?? "refused");
                return NotFound();
            }

            return (IResult)StreamingResults.File(fullPath, resultOptions);
        });
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotFound()
        => Problems.Of(StatusCodes.Status404NotFound, "Not Found", "No such file.");

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotAllowed()
        => Problems.Of(StatusCodes.Status405MethodNotAllowed, "Method Not Allowed", "Files can only be read, with GET or HEAD.");
}
