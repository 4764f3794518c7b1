using AspNetStreaming.Responses;
using AspNetStreaming.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps upload endpoints. The services come from <c>AddStreamingUploads</c>.</summary>
public static class UploadEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>PUT {prefix}/{name}</c>: the raw request body is stored as <c>name</c> under the upload
    /// root (201 + <c>Location</c> when new, 204 when replaced; ProblemDetails otherwise).</summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="prefix">The URL prefix, e.g. <c>/uploads</c>.</param>
    /// <param name="options">Per-endpoint options; the registered <see cref="UploadOptions"/> when <see langword="null"/>.</param>
    public static RouteHandlerBuilder MapUpload(this IEndpointRouteBuilder endpoints, string prefix, UploadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        options?.Validate(); // a per-endpoint copy is checked when mapped, as the registered options are at start
        var ingestor = endpoints.ServiceProvider.GetRequiredService<UploadIngestor>();
        return endpoints.MapPut(prefix.TrimEnd('/') + "/{name}", async (HttpContext context, string name) =>
        {
            try
            {
                var stored = await ingestor.IngestAsync(context, name, options).ConfigureAwait(false);
                return (IResult)UploadResults.Stored(stored, context.Request.PathBase + context.Request.Path);
            }
            catch (UploadException error)
            {
                return UploadResults.Problem(error);
            }
        }).DisableAntiforgery().DescribeUpload("A raw upload: the request body stored as {name}, atomically, digest-verified.", "application/octet-stream",
            replaces: true, 400, 408, 409, 412, 413, 503, 507)
            .WithHeaders("If-Match", "If-None-Match", "If-Unmodified-Since", "Content-Digest", "Repr-Digest", "Want-Repr-Digest", "Want-Content-Digest");
    }

    /// <summary>Maps <c>POST {prefix}</c> for <c>multipart/form-data</c>: every file part is stored under its
    /// (validated) file name, all published together or none; answers 201 with the files and form fields.</summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="prefix">The URL prefix, e.g. <c>/uploads</c>.</param>
    /// <param name="options">Per-endpoint options, checked when mapped; the registered <see cref="UploadOptions"/> when <see langword="null"/>.</param>
    /// <returns>The endpoints' builder, to add conventions (authorization, rate limiting) to them.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException"><paramref name="options"/> has a setting out of range.</exception>
    public static RouteHandlerBuilder MapMultipartUpload(this IEndpointRouteBuilder endpoints, string prefix, UploadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        options?.Validate(); // a per-endpoint copy is checked when mapped, as the registered options are at start
        var ingestor = endpoints.ServiceProvider.GetRequiredService<UploadIngestor>();
        return endpoints.MapPost(prefix.TrimEnd('/'), async (HttpContext context) =>
        {
            try
            {
                await using var upload = await ingestor.ReadMultipartAsync(context, options).ConfigureAwait(false);
                var files = await upload.PublishAsync(context.Request.Headers, context.RequestAborted).ConfigureAwait(false);
                return (IResult)UploadResults.Stored(files, upload.Fields);
            }
            catch (UploadException error)
            {
                return UploadResults.Problem(error);
            }
        }).DisableAntiforgery().DescribeUpload("multipart/form-data: every file part stored under its name, all published or none.", "multipart/form-data",
            replaces: false, 400, 408, 409, 413, 415, 503, 507)
            .WithHeaders("Content-Digest", "Repr-Digest", "Want-Repr-Digest", "Want-Content-Digest");
    }
}
