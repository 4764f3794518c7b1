using AspNetStreaming.Responses;
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
    internal ConcurrencyGate? Gate { get; }

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

        // Through the reader that ends reads with CancelPendingRead (a read cancelled by its token leaves Kestrel's body
        // mid-read, and its drain then logs an error) and marks the client's own failures.
        await ProcessSession.RunAsync(run, StreamRequestBody ? new Transport.ClientBodyPipeReader(httpContext.Request.BodyReader) : null,
            session => AnswerAsync(httpContext, session, options, logger), httpContext.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>How long a short first output waits for the pipeline's exit before it is sent (100 ms).</summary>
    internal static readonly TimeSpan FirstOutputExitGrace = TimeSpan.FromMilliseconds(100);

    /// <summary>Sends stdout as the response body, or a ProblemDetails when the pipeline failed before its first
    /// output byte (or exited failing right after a short first output).</summary>
    private static async Task AnswerAsync(HttpContext httpContext, ProcessSession session, ProcessOptions options, Microsoft.Extensions.Logging.ILogger logger)
    {
        try
        {
            // A program that wrote a little and exited at once (a failing grep behind wc, a tool printing its error)
            // has its exit code in a moment: waited for briefly, it decides the status (502 with the reason) instead of
            // a 200 cut off after its first bytes. A program still running after the grace streams as always.
            bool any;
            try
            {
                any = await session.Output.ReadFirstAsync(session.Aborted).ConfigureAwait(false);
            }
            catch (AspNetStreaming.IO.ContentTooLargeException)
            {
                // Over MaxOutputBytes in the first read: the tree is being killed for it, and nothing was sent yet.
                any = false;
            }

            if (!any || (session.Output.FirstReadWasShort && await ProcessExchange.ExitedWithinAsync(session.Run, FirstOutputExitGrace, session.Aborted).ConfigureAwait(false)))
            {
                var exit = await session.WaitForExitAsync().ConfigureAwait(false);
                if (!exit.Outcome.Succeeded)
                {
                    await ProcessExchange.WriteFailureAsync(httpContext, session.Run, exit.Outcome, exit.InputError, options, logger).ConfigureAwait(false);
                    return;
                }
            }

            await ProducerResponse.SendAsync(httpContext, session.Output, options.ContentType).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (session.Aborted.IsCancellationRequested)
        {
            // The client went away before the first byte: the session's registration kills the tree.
        }
    }
}
