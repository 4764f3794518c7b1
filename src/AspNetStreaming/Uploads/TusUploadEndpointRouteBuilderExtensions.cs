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
    public static IEndpointConventionBuilder MapTusUploads(this IEndpointRouteBuilder endpoints, string prefix, UploadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var store = endpoints.ServiceProvider.GetRequiredService<ResumableUploadStore>();
        prefix = prefix.TrimEnd('/');
        var handler = new TusUploadHandler(store, options ?? store.Ingestor.Options, prefix);
        var group = endpoints.MapGroup(prefix);
        group.MapMethods("", [HttpMethods.Options], handler.Options);
        group.MapMethods("/{id}", [HttpMethods.Options], handler.Options);
        group.MapPost("", (Func<HttpContext, Task<IResult>>)handler.CreateAsync).DisableAntiforgery();
        group.MapMethods("/{id}", [HttpMethods.Head], (HttpContext context, string id) => handler.HeadAsync(context, id));
        group.MapPatch("/{id}", (HttpContext context, string id) => handler.PatchAsync(context, id)).DisableAntiforgery();
        group.MapDelete("/{id}", (HttpContext context, string id) => handler.DeleteAsync(context, id));
        group.MapPost("/{id}", (HttpContext context, string id) => handler.OverrideAsync(context, id)).DisableAntiforgery();
        return group;
    }
}
