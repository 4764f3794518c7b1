using AspNetStreaming.Transport;
using AspNetStreaming.Diagnostics;
using System.Diagnostics.Metrics;
using AspNetStreaming.IO;
using AspNetStreaming.Storage;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using BadHttpRequestException = Microsoft.AspNetCore.Http.BadHttpRequestException;

namespace AspNetStreaming.Uploads;

/// <summary>
/// Receives request bodies into files: streamed from <see cref="HttpRequest.BodyReader"/> into a temporary file
/// next to the target (gather writes straight from the pipe's segments), verified, then renamed into place.
/// Nothing partial is ever visible under the target name. Registered by <c>AddStreamingUploads</c>; inject it
/// into any handler.
/// </summary>
public sealed partial class UploadIngestor : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly ILogger _logger;
    private readonly UploadMetrics _metrics;
    private readonly CancellationToken _stopping;
    private readonly IHostEnvironment? _environment;

    /// <summary>Creates the ingestor (normally done by dependency injection).</summary>
    public UploadIngestor(IOptions<UploadOptions> options, ILogger<UploadIngestor>? logger = null, IMeterFactory? meterFactory = null,
        IHostEnvironment? environment = null, IHostApplicationLifetime? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _metrics = new UploadMetrics(meterFactory);
        _stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        _slots = new SemaphoreSlim(Math.Max(1, Options.MaxConcurrentUploads));
        _environment = environment;
        Root = ResolveRoot(Options.Root);
    }

    /// <summary>The default options (from <c>Streaming:Uploads</c>).</summary>
    public UploadOptions Options { get; }

    /// <summary>The absolute directory uploads are stored in by default.</summary>
    public string Root { get; }

    internal ILogger Logger => _logger;

    /// <summary>Releases the concurrency limiter.</summary>
    public void Dispose() => _slots.Dispose();

    internal UploadMetrics Metrics => _metrics;

    /// <summary>Stores the request body as <paramref name="name"/> in <see cref="Root"/>.</summary>
    /// <param name="context">The request; its body is consumed.</param>
    /// <param name="name">The file name from the route (validated, never rewritten); <see langword="null"/>
    /// generates one.</param>
    /// <param name="options">Per-endpoint options; <see cref="Options"/> when <see langword="null"/>.</param>
    /// <returns>What was stored.</returns>
    /// <exception cref="UploadException">The upload was refused or broke off; nothing was stored. Turn it
    /// into a response with <see cref="UploadResults.Problem(UploadException)"/>.</exception>
    public async Task<StoredUpload> IngestAsync(HttpContext context, string? name, UploadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        options ??= Options;
        var root = ReferenceEquals(options, Options) ? Root : ResolveRoot(options.Validate().Root);
        var request = context.Request;
        name ??= UploadNames.Generate();
        long received = 0;
        System.Runtime.CompilerServices.StrongBox<long>? storeReceived = null;
        string? tempPath = null;
        var acquired = false;
        _metrics.Started();
        var stored = 0;
        try
        {
            if (!UploadNames.IsValid(name, options.MaxNameLength, out var reason))
            {
                throw UploadException.BadRequest($"The file name is not acceptable: {reason}.");
            }

            if (request.Headers.ContentRange.Count > 0)
            {
                // RFC 9110 §14.5: a partial PUT taken for a whole one would replace the file with the fragment.
                throw UploadException.BadRequest("Content-Range on an upload: partial PUT is not supported (a resumable upload appends at an offset).");
            }

            var store = context.RequestServices?.GetService<StreamingStorage>()?.ForUploads();
            var target = Path.Join(root, name);
            if (store is null)
            {
                UploadStorage.CheckPreconditions(request.Headers, target, options.Overwrite);
            }

            using var digests = UploadDigests.FromHeaders(request.Headers, DigestWants.Resolve(request.Headers, options.Digest));
            if (request.ContentLength > options.MaxSize)
            {
                throw UploadException.TooLarge(options.MaxSize);
            }

            var body = ApplyRequestLimits(context, options.MaxSize, options);
            acquired = _slots.Wait(0);
            if (!acquired)
            {
                throw UploadException.TooManyUploads();
            }

            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
            if (store is not null)
            {
                storeReceived = new System.Runtime.CompilerServices.StrongBox<long>();
                var intoStore = await WriteToStoreAsync(store, request, name, body, options, digests, storeReceived, cancel.Token).ConfigureAwait(false);
                (received, stored) = (intoStore.Length, 1);
                return intoStore;
            }

            tempPath = UploadStorage.NewTempPath(root);
            using (var file = UploadStorage.CreateTemp(tempPath, options.Preallocate ? request.ContentLength ?? 0 : 0))
            {
                received = await ReceiveAsync(body, file, 0, options.MaxSize, digests, cancel.Token, MinWriteSizeFor(context)).ConfigureAwait(false);
                digests.Verify();
                if (options.Durable)
                {
                    file.FlushToDisk();
                }
            }

            var replaced = UploadStorage.Publish(tempPath, target, request.Headers, options.Overwrite, options.Durable, out var etag);
            tempPath = null;
            stored = 1;
            UploadLog.Stored(_logger, name, received, replaced);
            return new StoredUpload(name, target, received, digests.Sha256, replaced, etag) { Sha512 = digests.Sha512 };
        }
        catch (Exception error)
        {
            if (received == 0 && tempPath is not null && File.Exists(tempPath))
            {
                received = new FileInfo(tempPath).Length; // how far the body got, for the log and the metrics
            }
            else if (received == 0 && storeReceived is not null)
            {
                received = storeReceived.Value; // the same for a store: what its staging read
            }

            throw Classify(context, error, received);
        }
        finally
        {
            if (tempPath is not null)
            {
                DeleteTemp(tempPath);
            }

            if (acquired)
            {
                _slots.Release();
            }

            _metrics.Ended(received, stored);
        }
    }

    /// <summary>Raises Kestrel's body limit to <paramref name="maxSize"/> for this request only and applies the
    /// minimum data rate; returns the reader to take the body from. Must run before the body is read.</summary>
    /// <remarks>On HTTP/1.x Kestrel enforces the rate itself. On HTTP/2 and HTTP/3 it refuses any rate but
    /// <see langword="null"/> (its setter throws), so the body is read through a <see cref="MinDataRatePipeReader"/>
    /// that enforces the same rule with the same 408 instead.</remarks>
    internal static PipeReader ApplyRequestLimits(HttpContext context, long maxSize, UploadOptions options)
    {
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxSize;
        }

        PipeReader body = context.Request.BodyReader;
        if (IsHttp1(context.Request))
        {
            if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rateFeature)
            {
                rateFeature.MinDataRate = options.MinDataRate > 0 ? new MinDataRate(options.MinDataRate, options.MinDataRateGracePeriod) : null;
            }
        }
        else if (options.MinDataRate > 0)
        {
            var rated = new MinDataRatePipeReader(body, options.MinDataRate, options.MinDataRateGracePeriod);
            context.Response.RegisterForDispose(rated);
            body = rated;
        }

        return new ClientBodyPipeReader(body);
    }

    /// <summary>HTTP/1.0 or 1.1: the protocols with connection-level headers and Kestrel's own rate enforcement.</summary>
    internal static bool IsHttp1(HttpRequest request) => HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol);

    internal bool TryEnter() => _slots.Wait(0);

    internal void Exit() => _slots.Release();

    internal CancellationToken Stopping => _stopping;

    /// <summary>The fewest bytes gathered into one write while more body is coming (256 KiB): Kestrel hands
    /// out 4 KiB blocks, and a write per few blocks costs a thread-pool hop and a syscall each (measured: it made
    /// the upload slower than hashing it). Kept well under Kestrel's default 1 MiB request buffer, which is the
    /// most the pipe holds before it stops reading the socket.</summary>
    internal const int DefaultMinWriteSize = 256 * 1024;

    /// <summary>The write threshold for this request: <see cref="DefaultMinWriteSize"/>, lowered when Kestrel is
    /// configured with a smaller request buffer or HTTP/2 stream window (waiting for more than the pipe can hold
    /// would stall the upload).</summary>
    internal static int MinWriteSizeFor(HttpContext context)
    {
        var limits = context.RequestServices?.GetService<IOptions<KestrelServerOptions>>()?.Value.Limits;
        long size = DefaultMinWriteSize;
        if (limits is not null)
        {
            if (limits.MaxRequestBufferSize is { } buffer)
            {
                size = Math.Min(size, buffer / 4);
            }

            size = Math.Min(size, limits.Http2.InitialStreamWindowSize / 4);
        }

        return (int)Math.Max(1, size);
    }

    /// <summary>Copies the body into <paramref name="file"/> at <paramref name="offset"/>, hashing as it goes, with
    /// one gather write straight from the pipe's segments per at least <paramref name="minWriteSize"/> bytes
    /// (<see cref="PipeReaderExtensions.CopyToFileAsync"/>). On any failure the file holds exactly the prefix of
    /// the body that reached the disk, which is what a resumable upload resumes from.</summary>
    internal static async Task<long> ReceiveAsync(PipeReader reader, AsyncFile file, long offset, long maxBytes,
        UploadDigests? digests, CancellationToken cancellationToken, int minWriteSize = DefaultMinWriteSize)
    {
        var observer = digests is { IsActive: true } ? digests.Observer : null;
        try
        {
            return await reader.CopyToFileAsync(file, offset, maxBytes, observer, minWriteSize, cancellationToken).ConfigureAwait(false);
        }
        catch (ContentTooLargeException)
        {
            throw UploadException.TooLarge(maxBytes);
        }
    }

    /// <summary>Turns any failure during an upload into the <see cref="UploadException"/> to answer with, and logs it.</summary>
    internal UploadException Classify(HttpContext context, Exception error, long received, bool kept = false)
    {
        var classified = ClassifyAndLog(context, error, received, kept);
        classified.Logged = true;
        return classified;
    }

    private UploadException ClassifyAndLog(HttpContext context, Exception error, long received, bool kept)
    {
        var path = context.Request.Path.Value ?? "";
        var outcome = kept ? "what arrived is kept for a resume" : "nothing was published";
        switch (error)
        {
            case StoreException { Kind: StoreErrorKind.Unavailable } unavailable:
                UploadLog.StoreUnavailable(_logger, path, unavailable.Message);
                return UploadErrors.FromStore(unavailable, 0).With(closesConnection: true);
            case StoreException refused:
                var refusal = UploadErrors.FromStore(refused, Options.MaxSize);
                UploadLog.Answered(_logger, path, refusal); // a refusal, or the store's own failure (500)
                return refusal.With(closesConnection: refused.Kind == StoreErrorKind.TooLarge);
            case UploadException { Kind: UploadErrorKind.DiskFull } full:
                UploadLog.DiskFull(_logger, full.InnerException ?? full, path);
                return full.With(closesConnection: true);
            case UploadException upload:
                UploadLog.Rejected(_logger, path, upload.StatusCode, upload.Detail);
                return upload.With(closesConnection: received > 0 || upload.Kind == UploadErrorKind.TooLarge);
            case IOException io when UploadStorage.IsDiskFull(io):
                UploadLog.DiskFull(_logger, io, path);
                return UploadException.DiskFull(io).With(closesConnection: true);
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge:
                UploadLog.Rejected(_logger, path, tooLarge.StatusCode, tooLarge.Message);
                return new UploadException(UploadErrorKind.TooLarge, "The upload is larger than the limit.", tooLarge).With(closesConnection: true);
            case BadHttpRequestException bad when !context.RequestAborted.IsCancellationRequested:
                UploadLog.Aborted(_logger, path, received, bad.Message, outcome);
                return new UploadException(bad.StatusCode == StatusCodes.Status408RequestTimeout ? UploadErrorKind.TooSlow : UploadErrorKind.IncompleteBody,
                    kept ? "The request body was incomplete or too slow; what arrived was kept: resume at Upload-Offset."
                        : "The request body was incomplete or too slow; nothing was stored.", bad).With(closesConnection: true);
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested || _stopping.IsCancellationRequested:
            case Microsoft.AspNetCore.Connections.ConnectionResetException or BadHttpRequestException or ClientBodyException:
            case IOException when context.RequestAborted.IsCancellationRequested || _stopping.IsCancellationRequested:
                var stopping = _stopping.IsCancellationRequested;
                UploadLog.Aborted(_logger, path, received, stopping ? "server shutting down" : "client disconnected", outcome);
                return new UploadException(stopping ? UploadErrorKind.ShuttingDown : UploadErrorKind.ClientGone,
                    "The upload was interrupted; nothing was stored.", error).With(closesConnection: true);
            default:
                UploadLog.Failed(_logger, error, path);
                return new UploadException(UploadErrorKind.Internal, "The upload could not be stored.", error).With(closesConnection: true);
        }
    }

    internal void DeleteTemp(string tempPath)
    {
        if (UploadStorage.TryDelete(tempPath) is { } failure)
        {
            UploadLog.CleanupFailed(_logger, failure, tempPath);
        }
    }

    internal string ResolveRoot(string root)
    {
        var contentRoot = _environment?.ContentRootPath ?? AppContext.BaseDirectory;
        var full = Path.GetFullPath(Path.Combine(contentRoot, root));
        foreach (var appFolder in new[] { contentRoot, AppContext.BaseDirectory })
        {
            if (string.Equals(Path.TrimEndingDirectorySeparator(full), Path.TrimEndingDirectorySeparator(Path.GetFullPath(appFolder)), StringComparison.Ordinal))
            {
                // A PUT of appsettings.json or of one of the app's assemblies would replace it.
                throw new Microsoft.Extensions.Options.OptionsValidationException("Streaming:Uploads", typeof(UploadOptions),
                    [$"Streaming:Uploads:Root '{root}' is the app's own folder ({full}); uploads need a directory of their own."]);
            }
        }

        Directory.CreateDirectory(full);
        // As configured, links not resolved: every upload's temp file and rename go through the path, so a root that is
        // (or lies under) a link re-pointed by a deploy receives the next upload in the new release, as MapFiles serves it.
        return Path.TrimEndingDirectorySeparator(full);
    }
}
