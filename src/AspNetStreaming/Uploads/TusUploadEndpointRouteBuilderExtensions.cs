using AspNetStreaming.Responses;
using AspNetStreaming.Uploads;
using AspNetStreaming.Uploads.Tus;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps tus 1.0.0 resumable uploads (tus.io; the default protocol of tus-js-client and Uppy).</summary>
public static class TusUploadEndpointRouteBuilderExtensions
{
    /// <summary>The tus version served.</summary>
    public const string TusVersion = TusHeaders.Version;

    /// <summary>Maps <c>POST {prefix}</c> (creation; the file name from the <c>filename</c> or <c>name</c> metadata, else
    /// the upload's id), <c>HEAD|PATCH|DELETE {prefix}/{id}</c>, <c>OPTIONS</c> on both, and <c>POST {prefix}/{id}</c>
    /// with <c>X-HTTP-Method-Override</c>. On the same engine and store as <see cref="ResumableUploadEndpointRouteBuilderExtensions.MapResumableUploads"/>:
    /// a completed upload (or final concatenation) is verified and published atomically under its name.</summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="prefix">The URL prefix, e.g. <c>/uploads</c>.</param>
    /// <param name="options">Per-endpoint options, checked when mapped; the registered <see cref="UploadOptions"/> when <see langword="null"/>.</param>
    /// <returns>The endpoints' builder, to add conventions (authorization, rate limiting) to them.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException"><paramref name="options"/> has a setting out of range.</exception>
    public static IEndpointConventionBuilder MapTusUploads(this IEndpointRouteBuilder endpoints, string prefix, UploadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        options?.Validate(); // a per-endpoint copy is checked when mapped, as the registered options are at start
        var store = endpoints.ServiceProvider.GetRequiredService<ResumableUploadStore>();
        prefix = prefix.TrimEnd('/');
        var handler = new TusUploadHandler(store, options ?? store.Ingestor.Options);
        var group = endpoints.MapGroup(prefix).WithTags("Uploads: tus 1.0");
        const string Chunk = TusHeaders.ChunkContentType;
        group.MapMethods("", [HttpMethods.Options], handler.Options).DescribeResumable("The server's tus version, extensions, size limit and checksums.", 204, null);
        group.MapMethods("/{id}", [HttpMethods.Options], (HttpContext context, string id) => handler.Options(context))
            .DescribeResumable("As OPTIONS on the prefix.", 204, null);
        group.MapOtherMethodsTo405("", HttpMethods.Options, HttpMethods.Post);
        group.MapPost("", (Func<HttpContext, Task<IResult>>)handler.CreateAsync).DisableAntiforgery()
            .DescribeResumable("Creation (with upload, deferred length, concatenation): 201 + Location.", 201, Chunk, 400, 408, 409, 412, 413, 415, 460, 503, 507)
            .WithHeaders("Tus-Resumable!", "Upload-Length", "Upload-Defer-Length", "Upload-Metadata", "Upload-Concat", "Upload-Checksum");
        group.MapMethods("/{id}", [HttpMethods.Head], (HttpContext context, string id) => handler.HeadAsync(context, id))
            .DescribeResumable("The upload's offset, length and metadata.", 200, null, 404, 412, 503).WithHeaders("Tus-Resumable!");
        group.MapPatch("/{id}", (HttpContext context, string id) => handler.PatchAsync(context, id)).DisableAntiforgery()
            .DescribeResumable("An append at Upload-Offset (checksum per chunk); the one reaching the length publishes the file.", 204, Chunk, 400, 403, 404, 408, 409, 412, 413, 415, 460, 503, 507)
            .WithHeaders("Tus-Resumable!", "Upload-Offset!", "Upload-Length", "Upload-Checksum");
        group.MapDelete("/{id}", (HttpContext context, string id) => handler.DeleteAsync(context, id))
            .DescribeResumable("Termination.", 204, null, 404, 412, 503).WithHeaders("Tus-Resumable!");
        group.MapPost("/{id}", (HttpContext context, string id) => handler.OverrideAsync(context, id)).DisableAntiforgery()
            .DescribeResumable("X-HTTP-Method-Override: PATCH, DELETE or HEAD, for clients behind POST-only proxies (each answers as itself).", 204, Chunk,
                400, 403, 404, 408, 409, 412, 413, 415, 460, 503, 507)
            .Produces(StatusCodes.Status200OK) // the overridden HEAD
            .WithHeaders("X-HTTP-Method-Override!", "Tus-Resumable!", "Upload-Offset", "Upload-Length", "Upload-Checksum");
        return group;
    }
}
