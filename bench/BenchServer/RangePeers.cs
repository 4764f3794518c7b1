using AspNetStreaming.Http;

namespace BenchServer;

/// <summary>Range peers: our MapFiles in the same slim host as Results.File (so the comparison is not skewed by
/// sample-web's middleware), and two floor probes: 64 KiB from memory with Results.Bytes (an endpoint and a result, what
/// an app's own handler costs), and a bare 206 of 64 KiB written by terminal middleware (no endpoint, no result, no
/// header parsing: as little as this host can do per 64 KiB response). The open-file cache is on in /ours/files and off in
/// /ours/files-nocache (every request resolves, opens, fstats and closes), and UseStreamingStaticFiles serves the same
/// folder as middleware.</summary>
internal static class RangePeers
{
    public static void MapRangePeers(this WebApplication app, string data)
    {
        var chunk = new byte[65536];
        app.MapGet("/floor/results-bytes", () => Results.Bytes(chunk, "application/octet-stream"));
        app.Map("/floor/raw", branch => branch.Run(async context =>
        {
            var response = context.Response;
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.ContentType = "application/octet-stream";
            response.ContentLength = chunk.Length;
            response.Headers.ContentRange = "bytes 1000-66535/4194304";
            await response.BodyWriter.WriteAsync(chunk);
        }));
        app.MapFiles("/ours/files", new FileServingOptions { Root = data });
        app.MapFiles("/ours/files-nocache", new FileServingOptions { Root = data, OpenFileCache = new() { Enabled = false } });
        app.UseStreamingStaticFiles(new StreamingStaticFileOptions { RequestPath = "/ours/static-files", Root = data, ServeUnknownFileTypes = true });
    }
}
