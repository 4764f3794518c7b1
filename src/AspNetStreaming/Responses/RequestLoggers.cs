using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AspNetStreaming.Responses;

/// <summary>Loggers for a request's work, taken from the request's services.</summary>
internal static class RequestLoggers
{
    /// <summary>The request's logger for <paramref name="category"/>, or a null logger when the app has no logging.</summary>
    public static ILogger For(HttpContext context, string category)
        => context.RequestServices?.GetService<ILoggerFactory>()?.CreateLogger(category) ?? NullLogger.Instance;
}
