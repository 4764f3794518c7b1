using AspNetStreaming.Responses;
using System.IO.Pipelines;
using AspNetStreaming.Diagnostics;
using AspNetStreaming.IO;
using AspNetStreaming.Processes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace AspNetStreaming.Cgi;

/// <summary>Runs one CGI/1.1 request (RFC 3875): resolves the script, builds its meta-variables, streams (or for
/// chunked bodies spools) the request body into stdin, parses the response header block from stdout and streams
/// the rest to the client through the producer pump; follows local redirects internally.</summary>
internal sealed partial class CgiRequestHandler(string prefix, RootedPathResolver resolver, CgiOptions cgiOptions, ProcessOptions processOptions, Func<RequestDelegate> redirectPipeline)
{
    private const string RedirectCountKey = "AspNetStreaming.Cgi.InternalRedirects";

    public async Task HandleAsync(HttpContext context, string? path)
    {
        var logger = ProcessExchange.GetLogger(context);
        var request = context.Request;
        path ??= string.Empty;
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var script = slash < 0 ? path : path[..slash];
        var pathInfo = slash < 0 ? string.Empty : path[slash..];
        if (HasEncodedSlash(context))
        {
            // Kestrel leaves %2F encoded, so PATH_INFO could not tell an encoded slash from a literal "%2F" (%252F), and a
            // script splitting it on '/' would see segments the client never sent; refused, as Apache does by default.
            StreamingLog.PathRejected(logger, request.Path, "an encoded slash (%2F)");
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "Not Found", "No such script.").ConfigureAwait(false);
            return;
        }

        string? scriptPath = null;
        string? reason = null;
        if (script.Length == 0 || !resolver.TryResolve(script, out scriptPath, out reason) || !File.Exists(scriptPath) || !ProcessLauncher.IsExecutableFile(scriptPath))
        {
            if (reason is not null)
            {
                StreamingLog.PathRejected(logger, request.Path, reason); // a name that tried to leave the root: Warning, as for files
            }
            else
            {
                // Also a bare /cgi-bin/: it names no script, which is a plain 404 rather than a refusal worth a warning.
                ProcessLog.CgiScriptNotFound(logger, request.Path, script.Length == 0 ? "no script named" : "not an executable regular file");
            }

            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "Not Found", "No such script.").ConfigureAwait(false);
            return;
        }

        var supervisor = ProcessExchange.GetSupervisor(context);
        using var lease = await ProcessExchange.EnterOrRefuseAsync(context, supervisor, gate: null, processOptions, logger).ConfigureAwait(false);
        if (lease is null)
        {
            return;
        }

        ProcessExchange.ApplyRequestBodyLimit(context, processOptions);
        if (request.ContentLength > processOptions.MaxRequestBodySize)
        {
            // Known from the headers: refused before the script runs (it would be killed halfway through its input).
            await Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Content Too Large",
                $"The request body is larger than the limit of {processOptions.MaxRequestBodySize} bytes.").ConfigureAwait(false);
            return;
        }

        AsyncFile? spool = null;
        PipeReader? body = null;
        try
        {
            long? contentLength = request.ContentLength;
            if (contentLength is > 0 && !cgiOptions.SpoolRequestBodies)
            {
                body = new Transport.ClientBodyPipeReader(request.BodyReader); // reads end cleanly for Kestrel's drain
            }
            else if (contentLength is > 0 || (contentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true))
            {
                // Unknown length (chunked on HTTP/1.1; on HTTP/2 and 3 any body without content-length): spool so
                // CONTENT_LENGTH can be given (a script may rely on it to read stdin). With SpoolRequestBodies, every
                // body: the whole of it is read before the script can answer (see the option).
                spool = AsyncFile.OpenWrite(Path.Combine(cgiOptions.SpoolDirectory ?? Path.GetTempPath(), "aspnetstreaming-cgi-" + Guid.NewGuid().ToString("N") + ".body"), FileWriteMode.CreateNew);
                try
                {
                    // Each read of the body is written as it comes (one gather write): a write threshold could
                    // exceed what Kestrel's request pipe holds and stall the copy.
                    contentLength = await request.BodyReader.CopyToFileAsync(spool, 0, cgiOptions.MaxSpoolBytes, cancellationToken: context.RequestAborted).ConfigureAwait(false);
                }
                catch (ContentTooLargeException)
                {
                    await Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Content Too Large", "The request body is larger than the spool limit.").ConfigureAwait(false);
                    return;
                }
                catch (BadHttpRequestException bad)
                {
                    // Kestrel's own refusal while spooling (MaxRequestBodySize, 413; a malformed chunk, 400), answered as
                    // the problem it is rather than left to Kestrel's bare status.
                    await Problems.WriteAsync(context, bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Content Too Large" : "Bad Request", bad.Message).ConfigureAwait(false);
                    return;
                }

                body = PipeReader.Create(new AsyncFileReadStream(spool, ownsFile: false), new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
            }

            var scriptName = request.PathBase + prefix + "/" + script;
            var env = CgiEnvironment.Build(context, cgiOptions, scriptName, pathInfo, scriptPath, body is null ? null : contentLength);
            var run = await ProcessExchange.StartOrFailAsync(context, [new ProcessCommand(scriptPath)], processOptions, supervisor, logger, env, Path.GetDirectoryName(scriptPath)).ConfigureAwait(false);
            if (run is null)
            {
                return;
            }

            var location = await ProcessSession.RunAsync(run, body, session => ReadResponseAsync(context, session, scriptName, logger), context.RequestAborted).ConfigureAwait(false);
            if (location is not null)
            {
                await RedirectInternallyAsync(context, location, scriptName, logger).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; the script was killed by the abort registration.
        }
        finally
        {
            if (spool is not null)
            {
                if (body is not null)
                {
                    await body.CompleteAsync().ConfigureAwait(false);
                }

                spool.Dispose();
                DeleteSpool(spool.Path!);
            }
        }
    }

    private async Task RedirectInternallyAsync(HttpContext context, string location, string scriptName, Microsoft.Extensions.Logging.ILogger logger)
    {
        var count = context.Items.TryGetValue(RedirectCountKey, out var value) && value is int n ? n : 0;
        if (count >= cgiOptions.MaxInternalRedirects)
        {
            ProcessLog.CgiMalformed(logger, scriptName, "too many internal redirects");
            await Problems.WriteAsync(context, StatusCodes.Status502BadGateway, "Bad Gateway", "Too many internal redirects.").ConfigureAwait(false);
            return;
        }

        context.Items[RedirectCountKey] = count + 1;
        ProcessLog.CgiInternalRedirect(logger, scriptName, location);
        var question = location.IndexOf('?', StringComparison.Ordinal);
        var request = context.Request;
        request.Method = HttpMethods.Get;
        request.Path = PathString.FromUriComponent(question < 0 ? location : location[..question]);
        request.QueryString = question < 0 ? QueryString.Empty : new QueryString(location[question..]);
        request.Body = Stream.Null;
        request.ContentLength = null;
        request.Headers.Remove("Content-Type");
        request.Headers.Remove("Transfer-Encoding");
        request.RouteValues = new RouteValueDictionary();
        context.SetEndpoint(null);
        await redirectPipeline()(context).ConfigureAwait(false);
    }

    private static bool HasEncodedSlash(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? string.Empty;
        var query = target.IndexOf('?', StringComparison.Ordinal);
        return (query < 0 ? target : target[..query]).Contains("%2F", StringComparison.OrdinalIgnoreCase);
    }

    private static void DeleteSpool(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // The temporary directory's cleaner will get it; the response does not depend on it.
        }
    }
}
