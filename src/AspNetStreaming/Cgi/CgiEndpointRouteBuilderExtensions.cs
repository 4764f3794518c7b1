using AspNetStreaming.Cgi;
using AspNetStreaming.IO;
using AspNetStreaming.Processes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps a directory of CGI/1.1 scripts.</summary>
public static class CgiEndpointRouteBuilderExtensions
{
    private static readonly string[] Methods =
        [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch, HttpMethods.Options];

    /// <summary>
    /// Serves <c>{prefix}/{script}{/path-info}?query</c> by running the executable <c>{scriptsRoot}/{script}</c>
    /// as a CGI/1.1 script (RFC 3875). Scripts are confined to the root (no traversal, no symlink escape, no
    /// dot-files) and must be executable regular files; anything else is a 404. Process settings (environment
    /// allow-list, timeouts, caps, stderr logging) come from <c>Streaming:Processes</c>, CGI settings from
    /// <c>Streaming:Cgi</c>.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="prefix">The URL prefix, e.g. <c>/cgi-bin</c>.</param>
    /// <param name="scriptsRoot">The scripts directory (absolute, or relative to the content root);
    /// <see cref="CgiOptions.Root"/> when <see langword="null"/>.</param>
    /// <param name="configure">Adjusts a copy of the registered CGI options for this mapping.</param>
    /// <param name="configureProcesses">Adjusts a copy of the registered process options for this mapping.</param>
    /// <exception cref="DirectoryNotFoundException">The scripts directory does not exist.</exception>
    public static RouteHandlerBuilder MapCgi(this IEndpointRouteBuilder endpoints, string prefix, string? scriptsRoot = null, Action<CgiOptions>? configure = null, Action<ProcessOptions>? configureProcesses = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var services = endpoints.ServiceProvider;
        var registered = services.GetService<IOptions<CgiOptions>>()?.Value ?? new CgiOptions();
        var cgi = registered.Clone();
        configure?.Invoke(cgi);
        CgiOptions.Rules.ThrowIfInvalid(cgi);
        var processes = (services.GetService<IOptions<ProcessOptions>>()?.Value ?? new ProcessOptions()).Clone();
        configureProcesses?.Invoke(processes);
        processes.Validate();

        // RFC 3875: stdout is the CGI response; a script's stderr goes to the log, never to the client.
        processes.MergeStandardError = false;
        var contentRoot = services.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
        var resolver = new RootedPathResolver(Path.Combine(contentRoot, scriptsRoot ?? cgi.Root));

        // Local redirects re-run the request through the app's routing (a branch sharing the app's endpoints).
        var branch = new Lazy<RequestDelegate>(() =>
        {
            var builder = endpoints.CreateApplicationBuilder();

            // A branch gets its own empty route table unless it is pointed at the app's (WebApplication removes
            // this key from branches); with it, UseRouting matches against every endpoint the app maps.
            builder.Properties["__GlobalEndpointRouteBuilder"] = endpoints;
            builder.UseRouting();
            builder.UseEndpoints(static _ => { });
            return builder.Build();
        });
        var normalizedPrefix = "/" + prefix.Trim('/');
        var handler = new CgiRequestHandler(normalizedPrefix, resolver, cgi, processes, () => branch.Value);
        return endpoints.MapMethods(normalizedPrefix + "/{**path}", Methods, (HttpContext context, string? path) => handler.HandleAsync(context, path))
            .WithTags("CGI").WithSummary("A CGI/1.1 script (RFC 3875): its response head and body, streamed as it writes them.")
            // The script chooses its status and type; 200 stands for them. The body, when there is one, is its stdin.
            .Accepts(typeof(Stream), isOptional: true, "*/*")
            .Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream").ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable).ProducesProblem(StatusCodes.Status504GatewayTimeout);
    }
}
