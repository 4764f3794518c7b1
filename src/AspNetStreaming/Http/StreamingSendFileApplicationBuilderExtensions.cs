using AspNetStreaming.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the middleware that sends files the library's way for apps as they are.</summary>
public static class StreamingSendFileApplicationBuilderExtensions
{
    /// <summary>Makes every <c>SendFileAsync</c> of the requests after it (what <c>UseStaticFiles</c>,
    /// <c>Results.File(path)</c> and <c>Response.SendFileAsync</c> call) go through AspNetStreaming's pump instead of
    /// Kestrel's stream copy. Status, headers and ranges stay exactly as the caller set them; nothing else of the
    /// response changes. Placed after <c>UseResponseCompression</c>, it leaves the compressor's own file copy alone
    /// (place it before, so that uncompressed responses use the pump).</summary>
    /// <param name="app">The application's pipeline; place it before the middleware whose files it should send.</param>
    /// <returns><paramref name="app"/>, to chain more middleware.</returns>
    public static IApplicationBuilder UseStreamingSendFile(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(async (context, next) =>
        {
            var original = context.Features.Get<IHttpResponseBodyFeature>();
            // Behind UseResponseCompression the body is the compressor's, whose own SendFileAsync copies into it in
            // large writes; the pump's flush per chunk would be a gzip sync flush each (a body 5% larger, same bytes).
            if (original is null || context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpsCompressionFeature>() is not null)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            context.Features.Set<IHttpResponseBodyFeature>(new StreamingSendFileFeature(original, context));
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                context.Features.Set(original);
            }
        });
    }
}
