using AspNetStreaming.Http;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace AspNetStreaming.Tests.Files;

/// <summary>
/// One real Kestrel server for the file tests: a root folder served by <c>MapFiles</c> (and a second mapping with
/// a range cap and cache headers), a secret file beside the root, symbolic links in and out, and endpoints for
/// the stream and bytes results.
/// </summary>
public sealed class FileServerFixture : IAsyncLifetime
{
    public const int DataLength = 10_000;
    public const string Secret = "TOP-SECRET-OUTSIDE-THE-ROOT";
    public static readonly DateTime DataLastWrite = new(2020, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);
    public static readonly DateTimeOffset OverrideLastModified = new(2021, 6, 7, 8, 9, 10, TimeSpan.Zero);

    private static readonly string[] GetHead = ["GET", "HEAD"];

    public System.Collections.Concurrent.ConcurrentQueue<TrackedStream> TrackedStreams { get; } = new();

    public TempDirectory Temp { get; } = new();

    public KestrelHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public byte[] Data { get; private set; } = [];

    public string Root => Temp["root"];

    public async Task InitializeAsync()
    {
        var dataPath = Temp.CreateFile("root/data.bin", DataLength, seed: 3);
        File.SetLastWriteTimeUtc(dataPath, DataLastWrite);
        Data = await File.ReadAllBytesAsync(dataPath);
        Temp.CreateFile("root/empty.bin", 0);
        await File.WriteAllTextAsync(Temp["root/hello.txt"], "hello, ranges\n");
        Directory.CreateDirectory(Temp["root/sub"]);
        await File.WriteAllTextAsync(Temp["root/sub/nested.txt"], "nested\n");
        await File.WriteAllTextAsync(Temp["root/.hidden"], Secret);
        await File.WriteAllTextAsync(Temp["secret.txt"], Secret);
        File.CreateSymbolicLink(Temp["root/link-out"], Temp["secret.txt"]);
        File.CreateSymbolicLink(Temp["root/link-in"], dataPath);
        Directory.CreateSymbolicLink(Temp["root/dir-out"], Temp.Path);

        var data = Data;
        Host = await KestrelHost.StartAsync(app =>
        {
            app.MapFiles("/files", new FileServingOptions { Root = Root });
            app.UseStreamingStaticFiles(new StreamingStaticFileOptions { RequestPath = "/static", Root = Root });
            app.MapFiles("/capped", new FileServingOptions { Root = Root, MaxRanges = 2, CacheControl = "public, max-age=60" });
            app.MapFiles("/noranges", new FileServingOptions { Root = Root, EnableRangeProcessing = false });
            app.MapMethods("/stream", GetHead, () => StreamingResults.Stream(new MemoryStream(data)));
            app.MapMethods("/stream-offset", GetHead, () =>
            {
                var stream = new MemoryStream(data);
                stream.Position = 1000;
                return StreamingResults.Stream(stream);
            });
            app.MapMethods("/tracked", GetHead, (bool? leaveOpen) =>
            {
                var stream = new TrackedStream(data);
                TrackedStreams.Enqueue(stream);
                return StreamingResults.Stream(stream, entityTag: new EntityTagHeaderValue("\"t\""), leaveOpen: leaveOpen ?? false);
            });
            app.MapMethods("/nonseekable", GetHead, () => StreamingResults.Stream(new NonSeekableStream(data)));
            app.MapMethods("/bytes", GetHead, () => StreamingResults.Bytes(data, "application/x-test", lastModified: OverrideLastModified, entityTag: new EntityTagHeaderValue("\"bytes-v1\"")));
            app.MapMethods("/download", GetHead, () => StreamingResults.File(dataPath, fileDownloadName: "naïve résumé €.bin"));
            app.MapMethods("/override", GetHead, () => StreamingResults.File(dataPath, "text/plain", lastModified: OverrideLastModified, entityTag: new EntityTagHeaderValue("\"v1\"")));
            app.MapMethods("/options", GetHead, () => StreamingResults.File(dataPath, new FileResultOptions { CacheControl = "no-cache", MaxRanges = 1 }));
            app.MapPost("/post-file", () => StreamingResults.File(dataPath));
            app.MapMethods("/missing", GetHead, () => StreamingResults.File(Temp["root/nope.bin"]));
        });
        Client = Host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        Temp.Dispose();
    }

    /// <summary>A memory stream that records whether it was disposed.</summary>
    public sealed class TrackedStream(byte[] data) : MemoryStream(data)
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    /// <summary>A stream that cannot seek, to prove ranges need a known length.</summary>
    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}

[CollectionDefinition(Name)]
public sealed class FileServerGroup : ICollectionFixture<FileServerFixture>
{
    public const string Name = "file server";
}
