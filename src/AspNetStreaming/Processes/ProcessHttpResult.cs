using AspNetStreaming.Http;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Processes;

/// <summary>
/// An <see cref="IResult"/> that runs a pipeline of programs: the request body streams into the first
/// program's stdin while the last program's stdout streams into the response (chunked), both with
/// backpressure. A failure before the first output byte is a 502 ProblemDetails (504 for a timeout) naming the
/// exit code; a failure after it aborts the response. The whole process tree is killed when the client goes
/// away, on a timeout or limit, and at shutdown. Concurrency caps answer 503 with <c>Retry-After</c>.
/// </summary>
public sealed class ProcessHttpResult : IResult, IContentTypeHttpResult
{
    internal ProcessHttpResult(IReadOnlyList<ProcessCommand> pipeline, ProcessOptions? options, ConcurrencyGate? gate, bool streamRequestBody)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (pipeline.Count == 0)
        {
            throw new ArgumentException("A pipeline needs at least one command.", nameof(pipeline));
        }

        Pipeline = pipeline;
        Options = options;
        Gate = gate;
        StreamRequestBody = streamRequestBody;
    }

    /// <summary>The programs, first to last.</summary>
    public IReadOnlyList<ProcessCommand> Pipeline { get; }

    /// <summary>The options; the registered <c>Streaming:Processes</c> options when <see langword="null"/>.</summary>
    public ProcessOptions? Options { get; }

    /// <summary>The endpoint's concurrency cap, if any.</summary>
    public ConcurrencyGate? Gate { get; }

    /// <summary>Whether the request body is streamed into stdin (otherwise stdin is closed at once).</summary>
    public bool StreamRequestBody { get; }

    /// <inheritdoc />
    public string? ContentType => Options?.ContentType;

    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var logger = ProcessExchange.GetLogger(httpContext);
        var options = Options ?? ProcessExchange.GetOptions(httpContext);
        var supervisor = ProcessExchange.GetSupervisor(httpContext);
        var aborted = httpContext.RequestAborted;
        using var lease = await ProcessExchange.EnterOrRefuseAsync(httpContext, supervisor, Gate, options, logger).ConfigureAwait(false);
        if (lease is null)
        {
            return;
        }

        ProcessExchange.ApplyRequestBodyLimit(httpContext, options);
        var run = await ProcessExchange.StartOrFailAsync(httpContext, Pipeline, options, supervisor, logger).ConfigureAwait(false);
        if (run is null)
        {
            return;
        }

        var producer = new ProcessOutputBodyProducer(run);
        await using (producer.ConfigureAwait(false))
        {
            using var killOnAbort = aborted.UnsafeRegister(static state => _ = ((ProcessPipelineRun)state!).KillAsync(ProcessKillReason.Cancelled), run);
            using var stopFeeding = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            var feed = ProcessExchange.FeedAsync(run, StreamRequestBody ? httpContext.Request.BodyReader : null, stopFeeding.Token);
            try
            {
                if (!await producer.ReadFirstAsync(aborted).ConfigureAwait(false))
                {
                    var outcome = await producer.WaitForOutcomeAsync(aborted).ConfigureAwait(false);
                    if (!outcome.Succeeded)
                    {
                        var bodyError = feed.IsCompleted || outcome.KillReason == ProcessKillReason.Failure ? await feed.ConfigureAwait(false) : null;
                        await ProcessExchange.WriteFailureAsync(httpContext, run, outcome, bodyError, options, logger).ConfigureAwait(false);
                        return;
                    }
                }

                await ProducerResponse.SendAsync(httpContext, producer, options.ContentType).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client went away before the first byte: the registration above kills the tree.
            }
            finally
            {
                await stopFeeding.CancelAsync().ConfigureAwait(false);
                await feed.ConfigureAwait(false);
            }
        }
    }
}
