using AspNetStreaming.Diagnostics;
using AspNetStreaming.Http.Ranges;
using AspNetStreaming.IO;
using AspNetStreaming.Responses;
using AspNetStreaming.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AspNetStreaming.Http;

/// <summary>
/// The one implementation of serving named files from a store, behind both <c>MapFiles</c> (which answers 404 when
/// nothing is found) and <c>UseStreamingStaticFiles</c> (which passes the request on): open by name, then send with
/// validators, preconditions and ranges (<see cref="RepresentationResponse"/>); a store that cannot be reached is a
/// 503 with <c>Retry-After</c> either way.
/// </summary>
internal sealed class FileServer(FileStore store, FileResultOptions options, ResponseServices services)
{
    /// <summary>What a 503 from an unavailable store asks the client to wait, in seconds.</summary>
    private const string StoreRetryAfterSeconds = "5";

    /// <summary>The store a file mapping of <paramref name="options"/> reads: the configured one
    /// (<c>Streaming:Storage</c>), or the local folder <paramref name="root"/> with an open-file cache that closes when
    /// the app stops.</summary>
    public static FileStore CreateStore(IServiceProvider services, string root, FileServingOptions options)
        => services.GetService<StreamingStorage>()?.ForFiles(options.AllowDotFiles)
            ?? CreateLocalStore(services, new RootedPathResolver(root, options.AllowDotFiles), options.OpenFileCache);

    /// <summary>A local store under <paramref name="resolver"/>'s root, cached as <paramref name="cacheOptions"/> say
    /// (where the platform can validate a cached file; see <see cref="FileIdentity"/>).</summary>
    public static FileStore CreateLocalStore(IServiceProvider services, RootedPathResolver resolver, OpenFileCacheOptions cacheOptions)
    {
        OpenFileCache? cache = null;
        if (cacheOptions.Enabled && FileIdentity.IsSupported)
        {
            cache = new OpenFileCache(cacheOptions.MaxEntries, cacheOptions.IdleTimeout, services.GetService<TimeProvider>());
            services.GetService<IHostApplicationLifetime>()?.ApplicationStopped.Register(cache.Dispose);
        }

        return new LocalFileStore(resolver, cache);
    }

    /// <summary>Serves <paramref name="name"/> if the store has it (<see langword="true"/>, the response is written, or a
    /// 503 when the store is down); <see langword="false"/> when it has no such file or refuses the name (logged), and
    /// nothing was written. <paramref name="contentType"/> applies when the store keeps none with the bytes;
    /// <paramref name="prepare"/> runs once the validators are set, before the status is decided.</summary>
    public async Task<bool> TryServeAsync(HttpContext context, string? name, Func<string, string> contentType, Action<HttpContext>? prepare = null)
    {
        var logger = services.Logger;
        StoreOpening opening;
        try
        {
            opening = await store.OpenReadAsync(name, FirstRead(context.Request, options.EnableRangeProcessing), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Not the request's fault, nor a file that is missing or refused (the store answers those): a 500 that says
            // so, rather than an exception out of the endpoint and an empty 500.
            FileServingLog.FileOpenFailed(logger, error, context.Request.Path);
            await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, "Internal Server Error", "The file could not be opened.").ConfigureAwait(false);
            return true;
        }

        switch (opening.Outcome)
        {
            case StoreOpenOutcome.Found:
                var source = opening.Source!;
                await RepresentationResponse.SendAsync(context, source, options, source.ContentType ?? contentType(name!), prepare, services).ConfigureAwait(false);
                return true;
            case StoreOpenOutcome.Unavailable:
                FileServingLog.StoreUnavailable(logger, context.Request.Method, context.Request.Path, opening.Detail ?? "unavailable");
                context.Response.Headers.RetryAfter = StoreRetryAfterSeconds;
                await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable", "The file store cannot be reached; try again later.").ConfigureAwait(false);
                return true;
            case StoreOpenOutcome.Refused:
                StreamingLog.PathRejected(logger, context.Request.Path, opening.Detail ?? "refused");
                return false;
            default:
                StreamingLog.FileNotFound(logger, context.Request.Path);
                return false;
        }
    }

    /// <summary>The range a GET will most likely send first, for a store that can open by reading it: the whole body,
    /// or the one range asked for. None for HEAD, conditional requests (often 304 or 412) and other range forms,
    /// whose answer is decided from the validators alone.</summary>
    private static StoreRange? FirstRead(HttpRequest request, bool rangesEnabled)
    {
        var headers = request.Headers;
        if (!HttpMethods.IsGet(request.Method) || headers.IfMatch.Count > 0 || headers.IfNoneMatch.Count > 0 || headers.IfModifiedSince.Count > 0
            || headers.IfUnmodifiedSince.Count > 0 || headers.IfRange.Count > 0)
        {
            return null;
        }

        if (!rangesEnabled || headers.Range.Count == 0)
        {
            return new StoreRange(0, null);
        }

        return Microsoft.Net.Http.Headers.RangeHeaderValue.TryParse(headers.Range.ToString(), out var range) && range.Unit.Equals("bytes", StringComparison.OrdinalIgnoreCase)
            && range.Ranges.Count == 1 && range.Ranges.First() is { From: { } from } item && (item.To is not { } to || to >= from)
            ? new StoreRange(from, item.To is { } last ? last - from + 1 : null)
            : null;
    }
}
