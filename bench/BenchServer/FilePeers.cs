using AspNetStreaming.Http;
using AspNetStreaming.Producers;

namespace BenchServer;

/// <summary>Download peers: ASP.NET's own Results.File, and our producer with each read size for the default's choice.</summary>
internal static class FilePeers
{
    public static void MapFilePeers(this WebApplication app, string data)
    {
        app.MapGet("/peer/results-file/{name}", (string name, bool? ranges) =>
            Results.File(Path.Combine(data, Path.GetFileName(name)), "application/octet-stream", enableRangeProcessing: ranges ?? false));

        app.MapGet("/ours/file/{name}", (string name, int? readSize) =>
            StreamingResults.File(Path.Combine(data, Path.GetFileName(name)), "application/octet-stream", readSize: readSize ?? StreamingResults.DefaultFileReadSize));

        app.MapGet("/ours/producer/{name}", (string name, int? readSize) =>
            StreamingResults.Body(new FileBodyProducer(Path.Combine(data, Path.GetFileName(name)), readSize: readSize ?? BodyProducer.DefaultReadSize), "application/octet-stream"));
    }
}
