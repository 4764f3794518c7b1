using AspNetStreaming.Http;

namespace BenchServer;

/// <summary>Range peers and probes: the same 64 KiB answered from memory, to separate Kestrel's own cost per
/// request from the file and range work.</summary>
internal static class RangePeers
{
    public static void MapRangePeers(this WebApplication app, string data)
    {
        var chunk = new byte[65536];
        app.MapGet("/probe/results-bytes", () => Results.Bytes(chunk, "application/octet-stream"));
        app.MapGet("/probe/ours-bytes", () => StreamingResults.Bytes(chunk));
        app.MapFiles("/ours/files", new FileServingOptions { Root = data });
    }
}
