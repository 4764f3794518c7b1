using System.Buffers;
using AspNetStreaming.IO;
using AspNetStreaming.Processes;
using AspNetStreaming.Responses;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Cgi;

// The response side of a CGI request (RFC 3875 section 6): the script's header block read from stdout and parsed, the
// status chosen (a failure right after the head is a 502, as for process results), and the rest of stdout streamed
// through the producer pump.
internal sealed partial class CgiRequestHandler
{
    private static readonly HashSet<string> DroppedResponseHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Trailer", "TE", "Proxy-Connection",
    };

    /// <summary>Parses the script's header block from stdout and streams the rest of stdout as the response.</summary>
    /// <returns>A local Location to redirect to internally, or <see langword="null"/> when the response was sent.</returns>
    private async Task<string?> ReadResponseAsync(HttpContext context, ProcessSession session, string scriptName, Microsoft.Extensions.Logging.ILogger logger)
    {
        var aborted = session.Aborted;
        var run = session.Run;
        var producer = session.Output;
        var buffer = ArrayPool<byte>.Shared.Rent(cgiOptions.MaxHeaderBytes + producer.ReadSize);
        var bufferOwned = true;
        try
        {
            var filled = 0;
            var end = -1;
            var lastReadShort = false;
            var overLimit = false;
            while (filled < cgiOptions.MaxHeaderBytes)
            {
                var asked = Math.Min(producer.ReadSize, buffer.Length - filled);
                int read;
                try
                {
                    read = await producer.ReadOutputAsync(buffer.AsMemory(filled, asked), aborted).ConfigureAwait(false);
                }
                catch (ContentTooLargeException)
                {
                    overLimit = true; // MaxOutputBytes within the head: the tree is being killed for it
                    break;
                }

                if (read == 0)
                {
                    break;
                }

                filled += read;
                lastReadShort = read < asked;
                end = CgiResponseHead.FindEnd(buffer.AsSpan(0, filled));
                if (end >= 0)
                {
                    break;
                }
            }

            if (overLimit || end < 0 || end > cgiOptions.MaxHeaderBytes)
            {
                var exit = filled < cgiOptions.MaxHeaderBytes ? await session.WaitForExitAsync().ConfigureAwait(false) : null;
                if (exit is { Outcome.Succeeded: false })
                {
                    // CGI answers a failed run with 502/504 even when the request body is what failed (no 413/400
                    // from the input's error, unlike process results).
                    await ProcessExchange.WriteFailureAsync(context, run, exit.Outcome, null, processOptions, logger).ConfigureAwait(false);
                    return null;
                }

                await MalformedAsync(context, run, scriptName, filled == 0 ? "no output" : end < 0 && filled < cgiOptions.MaxHeaderBytes ? "no blank line after the header block" : "a header block larger than the limit", logger).ConfigureAwait(false);
                return null;
            }

            var head = CgiResponseHead.Parse(buffer.AsSpan(0, end), out var error);
            if (head is null)
            {
                await MalformedAsync(context, run, scriptName, error!, logger).ConfigureAwait(false);
                return null;
            }

            if (head.Location is { } location && head.Status is null && location.StartsWith('/') && !location.StartsWith("//", StringComparison.Ordinal))
            {
                // A local redirect response (RFC 3875 6.2.2): the script's body, if any, is discarded.
                return location;
            }

            if (!TryAnnouncedLength(head, out var announced))
            {
                await MalformedAsync(context, run, scriptName, "Content-Length is not one non-negative integer", logger).ConfigureAwait(false);
                return null;
            }

            // As for process results: a script that printed its head (and perhaps a little) and is exiting has its exit
            // code in a moment; a failure then is a 502, not a 200 whose body ends early or empty.
            if (lastReadShort && await ProcessExchange.ExitedWithinAsync(run, ProcessHttpResult.FirstOutputExitGrace, aborted).ConfigureAwait(false)
                && await session.WaitForExitAsync().ConfigureAwait(false) is { Outcome.Succeeded: false } failed)
            {
                await ProcessExchange.WriteFailureAsync(context, run, failed.Outcome, null, processOptions, logger).ConfigureAwait(false);
                return null;
            }

            bufferOwned = false;
            producer.AnnouncedLength = announced;
            producer.SetPrefetched(buffer, end, filled - end);
            var response = context.Response;
            foreach (var (name, value) in head.Headers)
            {
                if (!DroppedResponseHeaders.Contains(name))
                {
                    response.Headers.Append(name, value);
                }
            }

            if (head.Location is not null)
            {
                response.Headers.Location = head.Location;
            }

            var status = head.Status ?? (head.Location is not null ? StatusCodes.Status302Found : StatusCodes.Status200OK);
            await ProducerResponse.SendAsync(context, producer, head.ContentType, status).ConfigureAwait(false);
            return null;
        }
        finally
        {
            if (bufferOwned)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    // The script's Content-Length, if it sent one: the response's length (the pump holds the output to it).
    private static bool TryAnnouncedLength(CgiResponseHead head, out long? length)
    {
        length = null;
        foreach (var (name, value) in head.Headers)
        {
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (length is not null || !long.TryParse(value.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                return false;
            }

            length = parsed;
        }

        return true;
    }

    private static async Task MalformedAsync(HttpContext context, ProcessPipelineRun run, string scriptName, string reason, Microsoft.Extensions.Logging.ILogger logger)
    {
        _ = run.KillAsync(ProcessKillReason.Failure);
        ProcessLog.CgiMalformed(logger, scriptName, reason);
        await Problems.WriteAsync(context, StatusCodes.Status502BadGateway, "Bad Gateway", "The script's response was malformed.").ConfigureAwait(false);
    }
}
