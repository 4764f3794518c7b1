using AspNetStreaming.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNetStreaming.Processes;

/// <summary>The HTTP side every process-backed response shares (process results and CGI): caps, start, and the
/// error responses given before the first output byte. The run itself goes through <see cref="ProcessSession"/>.</summary>
internal static class ProcessExchange
{
    private static readonly Lazy<ProcessSupervisor> FallbackSupervisor = new(() => new ProcessSupervisor(Microsoft.Extensions.Options.Options.Create(new ProcessOptions())));

    public static ILogger GetLogger(HttpContext context)
        => RequestLoggers.For(context, ProcessLog.LoggerCategory);

    public static ProcessOptions GetOptions(HttpContext context)
        => context.RequestServices?.GetService<IOptions<ProcessOptions>>()?.Value ?? new ProcessOptions();

    public static ProcessSupervisor GetSupervisor(HttpContext context)
        => context.RequestServices?.GetService<ProcessSupervisor>() ?? FallbackSupervisor.Value;

    /// <summary>Takes a slot under the caps or answers 503 with <c>Retry-After</c>.</summary>
    /// <returns>The lease, or <see langword="null"/> when the response was written.</returns>
    public static async ValueTask<IDisposable?> EnterOrRefuseAsync(HttpContext context, ProcessSupervisor supervisor, ConcurrencyGate? gate, ProcessOptions options, ILogger logger)
    {
        if (supervisor.TryEnter(gate, out var lease, out var refusedBy))
        {
            return lease;
        }

        ProcessLog.ConcurrencyRejected(logger, context.Request.Path, refusedBy ?? "global", refusedBy == "endpoint" ? gate!.Limit : supervisor.GlobalLimit);
        context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
            "Too many programs are running; retry later.").ConfigureAwait(false);
        return null;
    }

    /// <summary>Applies <see cref="ProcessOptions.MaxRequestBodySize"/> to Kestrel's per-request limit.</summary>
    public static void ApplyRequestBodyLimit(HttpContext context, ProcessOptions options)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxRequestBodySize;
        }
    }

    /// <summary>Starts the pipeline or answers 502.</summary>
    /// <returns>The run, or <see langword="null"/> when the response was written.</returns>
    public static async ValueTask<ProcessPipelineRun?> StartOrFailAsync(HttpContext context, IReadOnlyList<ProcessCommand> pipeline, ProcessOptions options, ProcessSupervisor supervisor, ILogger logger, IReadOnlyDictionary<string, string>? extraEnvironment = null, string? workingDirectory = null)
    {
        try
        {
            return ProcessPipelineRun.Start(pipeline, options, logger, supervisor, extraEnvironment, workingDirectory);
        }
        catch (ProcessStartException error)
        {
            ProcessLog.FailedBeforeOutput(logger, string.Join(" | ", pipeline), "the program could not be started", StatusCodes.Status502BadGateway);
            await Problems.WriteAsync(context, StatusCodes.Status502BadGateway, "Bad Gateway", error.Message).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Whether the pipeline exits within <paramref name="grace"/>: a program that wrote a little and is exiting
    /// has its exit code in a moment, and a failing one is then answered as a failure instead of a 200 cut off.</summary>
    public static async Task<bool> ExitedWithinAsync(ProcessPipelineRun run, TimeSpan grace, CancellationToken cancellationToken)
    {
        try
        {
            await run.WaitForExitAsync(cancellationToken).WaitAsync(grace, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Answers a failure that happened before any output: 413/400 for a bad request body, 503 for a
    /// shutdown, 504 for a timeout, 502 otherwise; naming the exit code, and the stderr tail only when enabled.</summary>
    public static Task WriteFailureAsync(HttpContext context, ProcessPipelineRun run, ProcessOutcome outcome, Exception? bodyError, ProcessOptions options, ILogger logger)
    {
        int status;
        string title;
        string detail;
        if (bodyError is BadHttpRequestException bad)
        {
            status = bad.StatusCode;
            title = status == StatusCodes.Status413PayloadTooLarge ? "Content Too Large" : Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
            detail = bad.Message;
        }
        else if (outcome.KillReason == ProcessKillReason.Shutdown)
        {
            // Stopped because the app is stopping, not because it failed: another instance (or this one, restarted)
            // can answer, so the client is told to retry.
            status = StatusCodes.Status503ServiceUnavailable;
            title = "Service Unavailable";
            detail = "The server is shutting down; the program was stopped. Retry later.";
            context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (outcome.TimedOut)
        {
            status = StatusCodes.Status504GatewayTimeout;
            title = "Gateway Timeout";
            detail = $"The program was stopped: {outcome.Describe()}.";
        }
        else
        {
            status = StatusCodes.Status502BadGateway;
            title = "Bad Gateway";
            detail = $"The program failed before its output was sent: {outcome.Describe()}.";
        }

        ProcessLog.FailedBeforeOutput(logger, run.Description, outcome.Describe(), status);
        // The exit codes of a program stopped because the request was refused say nothing about the request.
        var extensions = bodyError is BadHttpRequestException ? [] : new Dictionary<string, object?> { ["exitCodes"] = outcome.ExitCodes };
        if (options.IncludeStderrInProblem && run.GetStderrTail() is { } tail)
        {
            extensions["stderr"] = tail;
        }

        return Problems.Of(status, title, detail, extensions: extensions).ExecuteAsync(context);
    }
}
