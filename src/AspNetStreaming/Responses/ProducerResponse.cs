using AspNetStreaming.Diagnostics;
using AspNetStreaming.Producers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AspNetStreaming.Responses;

/// <summary>
/// Sends a producer as a response body: the one place where results hand a body to Kestrel, so every result
/// type gets the same framing, abort and error rules.
/// </summary>
internal static class ProducerResponse
{
    internal const string LoggerCategory = "AspNetStreaming.Http";

    /// <summary>Writes the headers for <paramref name="producer"/> and runs it into the response body.</summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>A known length becomes <c>Content-Length</c>; an unknown one means chunked framing.</item>
    /// <item>Response buffering is disabled: each flush of the producer goes to the socket.</item>
    /// <item><see cref="HttpContext.RequestAborted"/> stops the producer.</item>
    /// <item>A failure before the first byte is a 500 ProblemDetails; a failure or stop after it aborts the
    /// connection, so the client can never take a truncated body for a whole one.</item>
    /// <item>HEAD sends the headers and never runs the producer.</item>
    /// <item>The producer is disposed (its file closed) on every path.</item>
    /// <item>With <paramref name="headersFirst"/>, the headers are committed before the first read, so Kestrel
    /// lays the body straight behind them; otherwise it copies every byte written before the headers once
    /// more (about a tenth of the CPU of a 64 KiB range request). The price is that a failure of the first read
    /// aborts instead of answering 500, so callers ask for it only when the body's source is already open and
    /// measured (a file, bytes in memory), never for a program or a user's stream.</item>
    /// </list>
    /// </remarks>
    public static async Task SendAsync(HttpContext context, IBodyProducer producer, string? contentType, int statusCode = StatusCodes.Status200OK, bool headersFirst = false,
        ResponseServices? services = null)
    {
        services ??= ResponseServices.For(context);
        var logger = services.Logger;
        var metrics = services.Metrics;
        var response = context.Response;
        await using (producer.ConfigureAwait(false))
        {
            response.StatusCode = statusCode;
            if (contentType is not null)
            {
                response.ContentType = contentType;
            }

            response.ContentLength = producer.Length;
            if (HttpMethods.IsHead(context.Request.Method))
            {
                return;
            }

            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            if (producer.Budget is null)
            {
                // The app's budget (bound from Streaming:Transport) unless the caller chose one.
                producer.Budget = services.Budget;
            }

            metrics?.ResponseStarted();
            var completed = false;
            try
            {
                if (headersFirst && producer.Length > 0)
                {
                    await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
                }

                await producer.ProduceAsync(response.BodyWriter, context.RequestAborted).ConfigureAwait(false);
                completed = true;
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested && !producer.IsStopped)
            {
                // The client left. (A stop by the application can also trip RequestAborted, because cancelling a
                // pending flush makes Kestrel abort the connection; the producer's own flag says which came first.)
                StreamingLog.ClientDisconnected(logger, producer.BytesProduced, producer.Length?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown", context.Request.Path);
            }
            catch (OperationCanceledException)
            {
                // Stopped by the application, or the consumer completed: the body is short of what was announced.
                StreamingLog.ProducerStopped(logger, context.Request.Path, producer.BytesProduced);
                context.Abort();
            }
            catch (Exception error) when (!response.HasStarted)
            {
                StreamingLog.ProducerFailedBeforeBody(logger, error, context.Request.Path);
                response.Clear();
                await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, "The response body could not be produced.").ConfigureAwait(false);
            }
            catch (Exception error)
            {
                StreamingLog.ProducerFailedMidBody(logger, error, context.Request.Path, producer.BytesProduced);
                context.Abort();
            }
            finally
            {
                metrics?.ResponseEnded(producer.BytesProduced, completed);
            }
        }
    }
}
