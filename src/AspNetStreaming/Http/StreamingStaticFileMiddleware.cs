using AspNetStreaming.IO;
using AspNetStreaming.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;

namespace AspNetStreaming.Http;

/// <summary>
/// <c>UseStaticFiles</c>' behaviour (GET and HEAD under a request path, known content types only unless told
/// otherwise, everything else passed on) served by the same <see cref="FileServer"/> as <c>MapFiles</c>: multiple
/// ranges, the RFC 9110 precondition order, strong file-id tags, path confinement and the open-file cache.
/// </summary>
internal sealed class StreamingStaticFileMiddleware
{
    private readonly RequestDelegate _next;
    private readonly StreamingStaticFileOptions _options;
    private readonly FileServer _server;
    private readonly IFileProvider? _provider;
    private readonly string? _physicalRoot;

    public StreamingStaticFileMiddleware(RequestDelegate next, IServiceProvider services, StreamingStaticFileOptions options)
    {
        _next = next;
        _options = options;
        var serving = FileServingOptions.Rules.ThrowIfInvalid(options.ToServingOptions());
        var environment = services.GetService(typeof(IWebHostEnvironment)) as IWebHostEnvironment;
        var provider = options.FileProvider ?? (options.Root is null ? environment?.WebRootFileProvider : null);
        _physicalRoot = provider switch
        {
            PhysicalFileProvider physical => physical.Root,
            null => Path.Combine(environment?.ContentRootPath ?? Directory.GetCurrentDirectory(), options.Root ?? "wwwroot"),
            _ => null,
        };

        FileStore store;
        if (_physicalRoot is not null)
        {
            store = FileServer.CreateLocalStore(services, new RootedPathResolver(_physicalRoot, options.AllowDotFiles), options.OpenFileCache);
        }
        else
        {
            _provider = provider;
            store = new FileProviderStore(provider!, options.AllowDotFiles);
        }

        _server = new FileServer(store, serving.ToResultOptions(), Responses.ResponseServices.From(services));
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if ((!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            || context.GetEndpoint()?.RequestDelegate is not null // an endpoint was matched: it answers, as with UseStaticFiles
            || !request.Path.StartsWithSegments(_options.RequestPath, out var rest)
            || rest.Value is not { Length: > 1 } remainder
            || ContentTypeOf(remainder) is not { } contentType)
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        var name = remainder[1..];
        var prepare = _options.OnPrepareResponse is { } onPrepare
            ? (Action<HttpContext>)(http => onPrepare(new StaticFileResponseContext(http, FileInfoOf(name))))
            : null;
        if (!await _server.TryServeAsync(context, name, _ => contentType, prepare).ConfigureAwait(false))
        {
            await _next(context).ConfigureAwait(false);
        }
    }

    private string? ContentTypeOf(string path)
        => _options.ContentTypeProvider.TryGetContentType(path, out var type) ? type
        : _options.ServeUnknownFileTypes ? _options.DefaultContentType ?? ContentTypes.Default
        : null;

    // Only made when OnPrepareResponse asks for it (a FileInfo reads nothing until a property is read).
    private IFileInfo FileInfoOf(string name) => _provider?.GetFileInfo(name)
        ?? new PhysicalFileInfo(new FileInfo(Path.Join(_physicalRoot, name)));
}
