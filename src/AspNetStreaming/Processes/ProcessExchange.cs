using System.Buffers;
using System.IO.Pipelines;
using AspNetStreaming.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AspNetStreaming.Processes;

/// <summary>The parts every process-backed response shares (process results and CGI): caps, start, stdin
/// feeding, and the error responses given before the first output byte.</summary>
internal static class ProcessExchange
{
    private static readonly Lazy<ProcessSupervisor> FallbackSupervisor = new(() => new ProcessSupervisor(Microsoft.Extensions.Options.Options.Create(new ProcessOptions())));

    public static ILogger GetLogger(HttpContext context)
        => ProducerResponse.GetLogger(context, ProcessLog.LoggerCategory);

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
        await ProducerResponse.WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable",
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
            await ProducerResponse.WriteProblemAsync(context, StatusCodes.Status502BadGateway, "Bad Gateway", error.Message).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// Streams <paramref name="body"/> into the first stage's stdin and closes stdin at its end (always, even
    /// for an empty body). The pipe's backpressure paces the reads: while the program does not read, no more
    /// of the body is read from the client. When the program closes its stdin early, feeding stops quietly;
    /// when the body itself fails (client gone, too large), the pipeline is killed and the error returned.
    /// </summary>
    /// <param name="run">The pipeline.</param>
    /// <param name="body">The body, or <see langword="null"/> to close stdin at once.</param>
    /// <param name="cancellationToken">Stops feeding (stdin is still closed).</param>
    /// <remarks>Each read takes what has arrived, never waiting for a batch: a client may be waiting for the echo of
    /// what it sent before it sends the rest (an interactive program, a duplex HTTP/2 stream), even when it
    /// announced the whole length.</remarks>
    public static async Task<Exception?> FeedAsync(ProcessPipelineRun run, PipeReader? body, CancellationToken cancellationToken)
    {
        var stdin = run.StandardInput;
        var batchSize = run.Options.ReadSize;
        byte[]? batch = null;
        try
        {
            while (body is not null)
            {
                ReadResult result;
                try
                {
                    result = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
                catch (Exception error)
                {
                    await run.KillAsync(ProcessKillReason.Failure).ConfigureAwait(false);
                    return error;
                }

                var buffer = result.Buffer;
                var stdinClosed = false;
                try
                {
                    if (buffer.IsSingleSegment || buffer.FirstSpan.Length >= batchSize)
                    {
                        foreach (var segment in buffer)
                        {
                            await stdin.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        // Kestrel hands the body over in 4 KiB blocks; one pipe write per block costs a system
                        // call and a wake-up each. Gathering them into one large write costs a memory copy.
                        batch ??= ArrayPool<byte>.Shared.Rent(batchSize);
                        var remaining = buffer;
                        while (!remaining.IsEmpty)
                        {
                            var take = (int)Math.Min(batch.Length, remaining.Length);
                            remaining.Slice(0, take).CopyTo(batch);
                            await stdin.WriteAsync(batch.AsMemory(0, take), cancellationToken).ConfigureAwait(false);
                            remaining = remaining.Slice(take);
                        }
                    }
                }
                catch (Exception error) when (error is IOException or ObjectDisposedException or OperationCanceledException)
                {
                    // The program closed its stdin or exited: like a shell, stop writing.
                    stdinClosed = true;
                }

                body.AdvanceTo(buffer.End);
                if (stdinClosed || result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }

            return null;
        }
        finally
        {
            if (batch is not null)
            {
                ArrayPool<byte>.Shared.Return(batch);
            }

            try
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception error) when (error is IOException or ObjectDisposedException)
            {
                // EPIPE on close: the program is gone.
            }
        }
    }

    /// <summary>Answers a failure that happened before any output: 413/400 for a bad request body, 504 for a
    /// timeout, 502 otherwise; naming the exit code, and the stderr tail only when enabled.</summary>
    public static Task WriteFailureAsync(HttpContext context, ProcessPipelineRun run, ProcessOutcome outcome, Exception? bodyError, ProcessOptions options, ILogger logger)
    {
        int status;
        string title;
        string detail;
        if (bodyError is BadHttpRequestException bad)
        {
            status = bad.StatusCode;
            title = status == StatusCodes.Status413PayloadTooLarge ? "Content Too Large" : "Bad Request";
            detail = bad.Message;
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
            detail = $"The program failed before producing output: {outcome.Describe()}.";
        }

        ProcessLog.FailedBeforeOutput(logger, run.Description, outcome.Describe(), status);
        var extensions = new Dictionary<string, object?> { ["exitCodes"] = outcome.ExitCodes };
        if (options.IncludeStderrInProblem && run.GetStderrTail() is { } tail)
        {
            extensions["stderr"] = tail;
        }

        return TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions).ExecuteAsync(context);
    }
}
