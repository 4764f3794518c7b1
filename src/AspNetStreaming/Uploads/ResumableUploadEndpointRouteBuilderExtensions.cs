using AspNetStreaming.Responses;
using AspNetStreaming.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps resumable uploads (draft-ietf-httpbis-resumable-upload-05, <c>Upload-Draft-Interop-Version: 6</c>).</summary>
public static class ResumableUploadEndpointRouteBuilderExtensions
{
    /// <summary>The interop version implemented.</summary>
    public const string InteropVersion = ResumableUploadHandler.InteropVersion;

    /// <summary>Maps <c>POST {prefix}/{name}</c> (create an upload of file <c>name</c>; 201 + <c>Location</c> of the
    /// upload resource), <c>HEAD|GET|PATCH|DELETE {prefix}/{id}</c> (offset, append, cancel) and <c>OPTIONS</c> on
    /// both (<c>Upload-Limit</c>, the draft's discovery). A completed upload is digest-verified and published
    /// atomically under <c>name</c> in the upload root (or the configured store).</summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="prefix">The URL prefix, e.g. <c>/uploads</c>.</param>
    /// <param name="options">Per-endpoint options, checked when mapped; the registered <see cref="UploadOptions"/> when <see langword="null"/>.</param>
    /// <returns>The endpoints' builder, to add conventions (authorization, rate limiting) to them.</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException"><paramref name="options"/> has a setting out of range.</exception>
    public static IEndpointConventionBuilder MapResumableUploads(this IEndpointRouteBuilder endpoints, string prefix, UploadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        options?.Validate(); // a per-endpoint copy is checked when mapped, as the registered options are at start
        var store = endpoints.ServiceProvider.GetRequiredService<ResumableUploadStore>();
        prefix = prefix.TrimEnd('/');
        var handler = new ResumableUploadHandler(store, options ?? store.Ingestor.Options);
        var group = endpoints.MapGroup(prefix).WithTags("Uploads: resumable (IETF draft)");
        group.MapPost("/{name}", (HttpContext context, string name) => handler.CreateAsync(context, name)).DisableAntiforgery()
            .DescribeResumable("Creation of an upload of {name} (Upload-Complete, Upload-Length, Repr-Digest): 201 + Location.", 201, "application/octet-stream",
                400, 408, 409, 412, 413, 415, 503, 507)
            .Produces(StatusCodes.Status204NoContent) // a creation that completes the upload and replaces a file
            .WithHeaders("Upload-Complete!", "Upload-Length", "Upload-Draft-Interop-Version", "Repr-Digest", "Content-Digest", "Want-Repr-Digest",
                "If-Match", "If-None-Match");
        group.MapMethods("", [HttpMethods.Options], handler.Options).DescribeResumable("Upload-Limit (the draft's discovery).", 204, null);
        group.MapOtherMethodsTo405("", HttpMethods.Options);
        group.MapMethods("/{id}", [HttpMethods.Options], (HttpContext context, string id) => handler.Options(context))
            .DescribeResumable("Upload-Limit (the draft's discovery).", 204, null);
        group.MapMethods("/{id}", [HttpMethods.Head, HttpMethods.Get], (HttpContext context, string id) => handler.HeadAsync(context, id))
            .DescribeResumable("Offset retrieval: Upload-Offset, Upload-Complete, Upload-Length.", 204, null, 404, 503);
        group.MapPatch("/{id}", (HttpContext context, string id) => handler.PatchAsync(context, id)).DisableAntiforgery()
            .DescribeResumable("An append at Upload-Offset; Upload-Complete: ?1 (or reaching Upload-Length) publishes the file.", 204, "application/partial-upload",
                400, 404, 408, 409, 412, 413, 415, 503, 507)
            .Produces(StatusCodes.Status201Created) // the append that completes the upload answers as a stored upload does
            .WithHeaders("Upload-Offset!", "Upload-Complete!", "Upload-Length", "Upload-Draft-Interop-Version", "Content-Digest");
        group.MapDelete("/{id}", (HttpContext context, string id) => handler.DeleteAsync(context, id)).DescribeResumable("Cancellation.", 204, null, 404, 503);
        return group;
    }
}
