using AspNetStreaming.Diagnostics;
using AspNetStreaming.IO;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AspNetStreaming.Http;

/// <summary>Maps a directory of files as endpoints.</summary>
public static class FileEndpointRouteBuilderExtensions
{
    /// <summary>Serves the files under <see cref="FileServingOptions.Root"/> (from the options registered with
    /// <c>AddStreamingFiles</c>) at <c>GET|HEAD {prefix}/{**path}</c>.</summary>
    public static RouteHandlerBuilder MapFiles(this IEndpointRouteBuilder endpoints, string prefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<FileServingOptions>>().Value;
        return endpoints.MapFiles(prefix, options);
    }

    /// <summary>Serves the files under <paramref name="options"/>' root at <c>GET|HEAD {prefix}/{**path}</c>.
    /// Paths are confined to the root (see <see cref="RootedPathResolver"/>); anything refused or missing is a
    /// 404 ProblemDetails, and directories are never listed.</summary>
    /// <exception cref="DirectoryNotFoundException">The root does not exist (checked at start-up, not per request).</exception>
    public static RouteHandlerBuilder MapFiles(this IEndpointRouteBuilder endpoints, string prefix, FileServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(options);
        var contentRoot = endpoints.ServiceProvider.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
        var resolver = new RootedPathResolver(Path.Combine(contentRoot, options.Root), options.AllowDotFiles);
        var readSize = options.ReadSize;
        var pattern = prefix.TrimEnd('/') + "/{**path}";
        return endpoints.MapMethods(pattern, [HttpMethods.Get, HttpMethods.Head], (HttpContext context, string? path) =>
        {
            if (!resolver.TryResolve(path, out var fullPath, out var reason))
            {
                StreamingLog.PathRejected(ProducerResponse.GetLogger(context), context.Request.Path, reason ?? "refused");
                return NotFound();
            }

            return File.Exists(fullPath) ? (IResult)StreamingResults.File(fullPath, readSize: readSize) : NotFound();
        });
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotFound() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: "No such file.");
}
