using AspNetStreaming.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the middleware that sends files the library's way for apps as they are.</summary>
public static class StreamingSendFileApplicationBuilderExtensions
{
    /// <summary>Makes every <c>SendFileAsync</c> of the requests after it (what <c>UseStaticFiles</c>,
    /// <c>Results.File(path)</c> and <c>Response.SendFileAsync</c> call) go through AspNetStreaming's pump instead of
    /// Kestrel's stream copy. Status, headers and ranges stay exactly as the caller set them; nothing else of the
    /// response changes. Placed after <c>UseResponseCompression</c>, a response the compressor encodes is left to its
    /// own file copy; every other one (video, images: what is not compressed) still goes through the pump.</summary>
    /// <param name="app">The application's pipeline; place it before the middleware whose files it should send.</param>
    /// <returns><paramref name="app"/>, to chain more middleware.</returns>
    public static IApplicationBuilder UseStreamingSendFile(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(async (context, next) =>
        {
            var original = context.Features.Get<IHttpResponseBodyFeature>();
            if (original is null)
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
