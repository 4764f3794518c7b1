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
    public static IEndpointConventionBuilder MapResumableUploads(this IEndpointRouteBuilder endpoints, string prefix, UploadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var store = endpoints.ServiceProvider.GetRequiredService<ResumableUploadStore>();
        prefix = prefix.TrimEnd('/');
        var handler = new ResumableUploadHandler(store, options ?? store.Ingestor.Options, prefix);
        var group = endpoints.MapGroup(prefix);
        group.MapPost("/{name}", (HttpContext context, string name) => handler.CreateAsync(context, name)).DisableAntiforgery();
        group.MapMethods("", [HttpMethods.Options], handler.Options);
        group.MapMethods("/{id}", [HttpMethods.Options], handler.Options);
        group.MapMethods("/{id}", [HttpMethods.Head, HttpMethods.Get], (HttpContext context, string id) => handler.HeadAsync(context, id));
        group.MapPatch("/{id}", (HttpContext context, string id) => handler.PatchAsync(context, id)).DisableAntiforgery();
        group.MapDelete("/{id}", (HttpContext context, string id) => handler.DeleteAsync(context, id));
        return group;
    }
}
