using AspNetStreaming.Http;

namespace BenchServer;

/// <summary>Range peers: our MapFiles in the same slim host as Results.File (so the comparison is not skewed by
/// sample-web's middleware), and a floor probe: 64 KiB from memory with Results.Bytes, i.e. what this host
/// costs per 64 KiB response before any file or range work. The open-file cache is on in /ours/files and off in
/// /ours/files-nocache (every request resolves, opens, fstats and closes), and UseStreamingStaticFiles serves the same
/// folder as middleware.</summary>
internal static class RangePeers
{
    public static void MapRangePeers(this WebApplication app, string data)
    {
        var chunk = new byte[65536];
        app.MapGet("/floor/results-bytes", () => Results.Bytes(chunk, "application/octet-stream"));
        app.MapFiles("/ours/files", new FileServingOptions { Root = data });
        app.MapFiles("/ours/files-nocache", new FileServingOptions { Root = data, OpenFileCache = new() { Enabled = false } });
        app.UseStreamingStaticFiles(new StreamingStaticFileOptions { RequestPath = "/ours/static-files", Root = data, ServeUnknownFileTypes = true });
    }
}
