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

        // Stock StaticFiles over the data folder, and the same with UseStreamingSendFile in front (issue 17's row).
        var files = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(data);
        app.Map("/peer/static", branch => branch.UseStaticFiles(new StaticFileOptions { FileProvider = files, ServeUnknownFileTypes = true }));
        app.Map("/ours/static-sendfile", branch => branch.UseStreamingSendFile()
            .UseStaticFiles(new StaticFileOptions { FileProvider = files, ServeUnknownFileTypes = true }));

        app.MapGet("/ours/file/{name}", (string name, int? readSize) =>
            StreamingResults.File(Path.Combine(data, Path.GetFileName(name)), "application/octet-stream", readSize: readSize ?? StreamingResults.DefaultFileReadSize));

        // A generated body of unknown length (sent chunked): `mib` MiB of one 64 KiB buffer yielded over and over.
        app.MapGet("/ours/generated", (int? mib) => StreamingResults.Body(BodyProducers.FromChunks(Repeat(mib ?? 1024)), "application/octet-stream"));

        app.MapGet("/ours/producer/{name}", (string name, int? readSize) =>
            StreamingResults.Body(new FileBodyProducer(Path.Combine(data, Path.GetFileName(name)), readSize: readSize ?? BodyProducer.DefaultReadSize), "application/octet-stream"));
    }

    private static readonly byte[] Block = RandomBlock();

    private static byte[] RandomBlock()
    {
        var block = new byte[64 * 1024];
        Random.Shared.NextBytes(block);
        return block;
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Repeat(int mib)
    {
        var block = Block; // one buffer for every response: the bench measures the server's memory, not the app's
        for (var i = 0; i < mib * 16; i++)
        {
            yield return block;
        }

        await Task.CompletedTask;
    }
}
