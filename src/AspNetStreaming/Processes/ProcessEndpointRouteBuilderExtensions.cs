using AspNetStreaming.Responses;
using AspNetStreaming.Processes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps programs and pipelines as endpoints.</summary>
public static class ProcessEndpointRouteBuilderExtensions
{
    private static readonly string[] DefaultMethods = [HttpMethods.Get, HttpMethods.Post, HttpMethods.Put];

    /// <summary>Maps <paramref name="pattern"/> to a program with fixed arguments.</summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="pattern">The route pattern.</param>
    /// <param name="command">The program.</param>
    /// <param name="configure">Adjusts a copy of the registered <c>Streaming:Processes</c> options for this endpoint.</param>
    /// <param name="httpMethods">The methods; GET, POST and PUT by default.</param>
    public static RouteHandlerBuilder MapProcess(this IEndpointRouteBuilder endpoints, string pattern, ProcessCommand command, Action<ProcessOptions>? configure = null, IEnumerable<string>? httpMethods = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        return endpoints.MapProcessPipeline(pattern, [ProcessCommandTemplate.FromCommand(command)], configure, httpMethods);
    }

    /// <summary>Maps <paramref name="pattern"/> to a program whose arguments may be bound from the route and query.</summary>
    public static RouteHandlerBuilder MapProcess(this IEndpointRouteBuilder endpoints, string pattern, ProcessCommandTemplate command, Action<ProcessOptions>? configure = null, IEnumerable<string>? httpMethods = null)
        => endpoints.MapProcessPipeline(pattern, [command], configure, httpMethods);

    /// <summary>
    /// Maps <paramref name="pattern"/> to a pipeline (<c>a | b | c</c>, no shell): the request body streams into
    /// the first program, the last one's stdout is the response body. Bound arguments that fail validation get a
    /// 400 ProblemDetails and no process is started.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="pattern">The route pattern.</param>
    /// <param name="pipeline">The programs, first to last.</param>
    /// <param name="configure">Adjusts a copy of the registered <c>Streaming:Processes</c> options for this endpoint.</param>
    /// <param name="httpMethods">The methods; GET, POST and PUT by default.</param>
    public static RouteHandlerBuilder MapProcessPipeline(this IEndpointRouteBuilder endpoints, string pattern, IReadOnlyList<ProcessCommandTemplate> pipeline, Action<ProcessOptions>? configure = null, IEnumerable<string>? httpMethods = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pipeline);
        if (pipeline.Count == 0)
        {
            throw new ArgumentException("A pipeline needs at least one command.", nameof(pipeline));
        }

        var options = (endpoints.ServiceProvider.GetService<IOptions<ProcessOptions>>()?.Value ?? new ProcessOptions()).Clone();
        configure?.Invoke(options);
        options.Validate();
        var gate = options.MaxConcurrency is { } max ? new ConcurrencyGate(max) : null;
        var templates = pipeline.ToArray();
        var methods = (httpMethods ?? DefaultMethods).ToArray();
        return endpoints.MapMethods(pattern, methods, (HttpContext context) =>
        {
            var commands = new ProcessCommand[templates.Length];
            for (var i = 0; i < templates.Length; i++)
            {
                if (!templates[i].TryBind(context, out var command, out var error))
                {
                    ProcessLog.ArgumentRejected(ProcessExchange.GetLogger(context), templates[i].FileName, context.Request.Path, error ?? "invalid");
                    return (IResult)Problems.Of(StatusCodes.Status400BadRequest, "Bad Request", error);
                }

                commands[i] = command!;
            }

            return new ProcessHttpResult(commands, options, gate, streamRequestBody: true);
        }).DescribeProcess(options.ContentType, methods).DescribeArguments(templates);
    }
}
