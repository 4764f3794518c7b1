using System.Collections.Concurrent;
using AspNetStreaming.Http;
using AspNetStreaming.Processes;

namespace SampleWeb;

/// <summary>
/// The browser page (<c>GET /</c> with <c>Accept: text/html</c>) and what it asks the server for: its own files
/// (<c>UseStreamingStaticFiles</c> at <c>/page</c>), the list of files (<c>GET /api/files</c>), how the file responses went (<c>GET
/// /api/stats</c>: counts per status, so the page shows the 206s of the video's range requests), the uploaded files
/// (<c>MapFiles("/uploaded")</c>) and a program whose output arrives line by line (<c>GET /run/ticker</c>).
/// </summary>
internal static class PageEndpoints
{
    // A line every 200 ms for 10 s. No request data reaches it; "ticker-demo" is its $0, so it can be found by name.
    private const string TickerScript = "i=1; while [ $i -le 50 ]; do echo \"line $i at $(date +%T.%N | cut -c1-12)\"; i=$((i+1)); sleep 0.2; done";

    private static readonly ConcurrentDictionary<int, int> FileStatuses = new();

    public static string PageRoot(this WebApplication app) => Path.Combine(app.Environment.ContentRootPath, "page");

    /// <summary>Counts the statuses of the responses under <c>/files</c> (the video's range requests among them).</summary>
    public static WebApplication UseFileStatusCounts(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            await next(context);
            if (context.Request.Path.StartsWithSegments("/files"))
            {
                FileStatuses.AddOrUpdate(context.Response.StatusCode, 1, (_, count) => count + 1);
            }
        });
        return app;
    }

    internal static readonly string[] GetHead = [HttpMethods.Get, HttpMethods.Head];

    public static WebApplication MapPage(this WebApplication app)
    {
        var files = Path.Combine(app.Environment.ContentRootPath, app.Configuration["Streaming:Files:Root"] ?? "demo-content");
        var uploads = Path.Combine(app.Environment.ContentRootPath, app.Configuration["Streaming:Uploads:Root"] ?? "uploads");
        Directory.CreateDirectory(uploads);
        // The page's own assets always come from the disk (the middleware reads the disk even when /files and
        // /uploaded serve a blob container).
        app.UseStreamingStaticFiles(new StreamingStaticFileOptions { RequestPath = "/page", Root = app.PageRoot(), CacheControl = "no-cache" });
        app.MapFiles("/uploaded", new FileServingOptions { Root = uploads });
        // GET and HEAD wherever GET answers (RFC 9110 §9.1): Kestrel sends a HEAD the GET's headers without the body.
        app.MapMethods("/api/files", GetHead, () => Results.Json(new
        {
            // Relative to the page, so that links work under a path base (behind a proxy that mounts the app at /app/).
            demo = List(files, "files/"),
            uploads = List(uploads, "uploaded/"),
        })).WithTags("Page").WithSummary("The demo files and the uploaded files (the app's own listing: MapFiles never lists directories).")
            .Produces<object>(StatusCodes.Status200OK, "application/json");
        app.MapMethods("/api/stats", GetHead, () => Results.Json(FileStatuses.ToDictionary(pair => pair.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), pair => pair.Value)))
            .WithTags("Page").WithSummary("Responses under /files so far, per status.").Produces<Dictionary<string, long>>(StatusCodes.Status200OK, "application/json");
        app.MapProcess("/run/ticker", new ProcessCommand("sh", "-c", TickerScript, "ticker-demo"),
            o => o.ContentType = "text/plain; charset=utf-8", [HttpMethods.Get]);
        return app;
    }

    private static object[] List(string root, string urlPrefix) => Directory.Exists(root)
        ? [.. new DirectoryInfo(root).EnumerateFiles()
            .Where(file => !file.Name.StartsWith('.'))
            .OrderBy(file => file.Name, StringComparer.Ordinal)
            .Select(file => new { name = file.Name, size = file.Length, url = urlPrefix + Uri.EscapeDataString(file.Name), modified = file.LastWriteTimeUtc })]
        : [];
}
