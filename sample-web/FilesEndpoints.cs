using System.Text;
using AspNetStreaming.Http;
using AspNetStreaming.IO;
using Microsoft.Net.Http.Headers;

/// <summary>sample-web's demonstrations of the file results beyond <c>MapFiles</c>: bytes in memory, a seekable
/// stream and a download with a non-ASCII name, all with ranges, validators and preconditions.</summary>
internal static class FilesEndpoints
{
    private static readonly byte[] Alphabet = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("abcdefghijklmnopqrstuvwxyz\n", 1000)));
    private static readonly DateTimeOffset Built = DateTimeOffset.UtcNow;

    public static WebApplication MapFilesDemos(this WebApplication app)
    {
        // curl -i -H 'Range: bytes=0-9,27-36' http://127.0.0.1:5080/ranges/bytes
        app.MapMethods("/ranges/bytes", [HttpMethods.Get, HttpMethods.Head], () =>
            StreamingResults.Bytes(Alphabet, "text/plain; charset=utf-8", lastModified: Built, entityTag: new EntityTagHeaderValue("\"alphabet-1\"")));

        // A seekable stream: ranges are read by seeking; the stream is disposed after the response.
        app.MapMethods("/ranges/stream", [HttpMethods.Get, HttpMethods.Head], () =>
            StreamingResults.Stream(new MemoryStream(Alphabet, writable: false), "text/plain; charset=utf-8"));

        // Content-Disposition with filename and filename* (RFC 6266 / 5987).
        var root = Path.Combine(app.Environment.ContentRootPath, app.Configuration["Streaming:Files:Root"] ?? "demo-content");
        app.MapMethods("/ranges/download", [HttpMethods.Get, HttpMethods.Head], () =>
            StreamingResults.File(new RootedPathResolver(root).TryResolve("hello.txt", out var path, out _) ? path : Path.Combine(root, "hello.txt"),
                new FileResultOptions { FileDownloadName = "grüße.txt", CacheControl = "public, max-age=60" }));
        return app;
    }
}
