using AspNetStreaming.Diagnostics;
using AspNetStreaming.Producers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AspNetStreaming.Responses;

/// <summary>What a response takes from the app's services: the logger, the response metrics and the chunk budget.
/// A file mapping or middleware resolves them once, from the app's services; a result, per request, from the
/// request's. (Asking the request's services creates a DI scope, and a logger, on every request: about a tenth of
/// what a 64 KiB range response allocates.)</summary>
internal sealed class ResponseServices(ILogger logger, ResponseMetrics? metrics, ChunkBudget? budget)
{
    public ILogger Logger { get; } = logger;

    public ResponseMetrics? Metrics { get; } = metrics;

    /// <summary>The app's budget (bound from <c>Streaming:Transport</c>); <see langword="null"/> for the shared one.</summary>
    public ChunkBudget? Budget { get; } = budget;

    /// <summary>The services of <paramref name="services"/>, or none (a null logger) without a provider.</summary>
    public static ResponseServices From(IServiceProvider? services) => new(
        services?.GetService<ILoggerFactory>()?.CreateLogger(ProducerResponse.LoggerCategory) ?? NullLogger.Instance,
        services?.GetService<ResponseMetrics>(),
        services?.GetService<ChunkBudget>());

    /// <summary>The request's services, for a response that was given none.</summary>
    public static ResponseServices For(HttpContext context) => From(context.RequestServices);
}
