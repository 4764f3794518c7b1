using AspNetStreaming.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the static-file middleware that serves with the library's semantics.</summary>
public static class StreamingStaticFilesApplicationBuilderExtensions
{
    /// <summary>Serves the app's web root as <c>UseStaticFiles</c> does, with the library's semantics (see
    /// <see cref="UseStreamingStaticFiles(IApplicationBuilder, StreamingStaticFileOptions)"/>).</summary>
    /// <param name="app">The application's pipeline.</param>
    /// <returns><paramref name="app"/>, to chain more middleware.</returns>
    public static IApplicationBuilder UseStreamingStaticFiles(this IApplicationBuilder app)
        => app.UseStreamingStaticFiles(new StreamingStaticFileOptions());

    /// <summary>Serves the files of <paramref name="options"/>' provider or root under its request path for GET and HEAD,
    /// passing every other request (another method, a path outside, an unknown type, no such file) to the next
    /// middleware, as <c>UseStaticFiles</c> does; but with multiple ranges (<c>multipart/byteranges</c>), every
    /// precondition in the RFC 9110 order, strong file-id ETags, paths confined to the root and the open-file cache,
    /// the same implementation as <c>MapFiles</c>.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range.</exception>
    /// <exception cref="DirectoryNotFoundException">The root does not exist (checked here, not per request).</exception>
    public static IApplicationBuilder UseStreamingStaticFiles(this IApplicationBuilder app, StreamingStaticFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        return app.UseMiddleware<StreamingStaticFileMiddleware>(app.ApplicationServices, options);
    }
}
