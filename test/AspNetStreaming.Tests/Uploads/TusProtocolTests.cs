using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Storage;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>tus 1.0.0 (<c>MapTusUploads</c>) request by request, on the local disk and on the blob store: core,
/// creation (with upload, deferred length), checksum, termination, expiration, concatenation and the method
/// override; every error status as the protocol defines it.</summary>
[Collection(AzuriteServers.Name)]
public sealed class TusProtocolTests(AzuriteServer azurite)
{
    public static TheoryData<StoreKind> Stores => [StoreKind.Local, StoreKind.AzureBlob];

    [Fact]
    public async Task Options_AnnouncesVersionExtensionsLimitAndChecksums_WithoutTusResumable()
    {
        await using var server = await TusServer.StartAsync(StoreKind.Local, azurite);

        using var options = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/tus"));

        Assert.Equal(HttpStatusCode.NoContent, options.StatusCode);
        Assert.Equal("1.0.0", Header(options, "Tus-Version"));
        Assert.Equal(["creation", "creation-with-upload", "creation-defer-length", "termination", "checksum", "expiration", "concatenation"],
            Header(options, "Tus-Extension")!.Split(','));
        Assert.Equal("md5,sha1,sha256", Header(options, "Tus-Checksum-Algorithm"));
        Assert.NotNull(Header(options, "Tus-Max-Size"));
        Assert.Null(Header(options, "Tus-Resumable"));
    }

    [Theory]
    [MemberData(nameof(Stores))]
#pragma warning disable CA5350, CA5351 // tus' checksums are integrity checks the protocol names (sha1, md5), not security
    public async Task AnUploadInChunksWithChecksums_IsPublishedWhole_AndAWrongChunkIs460AndDiscarded(StoreKind kind)
    {
        await using var server = await TusServer.StartAsync(kind, azurite);
        var data = UploadServer.RandomBytes(3_000_000, 21);

        using var created = await server.Client.SendAsync(Creation(("Upload-Length", "3000000"), ("Upload-Metadata", Metadata(("filename", "vidéo.bin"), ("filetype", "video/webm")))));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("1.0.0", Header(created, "Tus-Resumable"));
        Assert.Equal("0", Header(created, "Upload-Offset"));
        Assert.NotNull(Header(created, "Upload-Expires"));
        var location = created.Headers.Location!.OriginalString;
        Assert.Matches("^/tus/[0-9a-f]{32}$", location);

        using (var head = await server.Client.SendAsync(Request(HttpMethod.Head, location)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal("0", Header(head, "Upload-Offset"));
            Assert.Equal("3000000", Header(head, "Upload-Length"));
            Assert.Equal(Metadata(("filename", "vidéo.bin"), ("filetype", "video/webm")), Header(head, "Upload-Metadata"));
            Assert.Equal("no-store", head.Headers.CacheControl?.ToString());
        }

        using (var first = await server.Client.SendAsync(Chunk(location, 0, data[..1_000_000], "sha1", SHA1.HashData(data[..1_000_000]))))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
            Assert.Equal("1000000", Header(first, "Upload-Offset"));
        }

        using (var wrong = await server.Client.SendAsync(Chunk(location, 1_000_000, data[1_000_000..2_000_000], "md5", MD5.HashData(data[..16]))))
        {
            Assert.Equal((HttpStatusCode)460, wrong.StatusCode);
            Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal("1000000", await OffsetAsync(server, location)); // the chunk was discarded
        using (var second = await server.Client.SendAsync(Chunk(location, 1_000_000, data[1_000_000..2_000_000], "md5", MD5.HashData(data[1_000_000..2_000_000]))))
        {
            Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
        }

        Assert.Empty(await server.PublishedNamesAsync());
        using (var last = await server.Client.SendAsync(Chunk(location, 2_000_000, data[2_000_000..], "sha256", SHA256.HashData(data[2_000_000..]))))
        {
            Assert.Equal(HttpStatusCode.NoContent, last.StatusCode);
            Assert.Equal("3000000", Header(last, "Upload-Offset"));
        }

        Assert.Equal(data, await server.PublishedAsync("vidéo.bin"));
        Assert.Equal("3000000", await OffsetAsync(server, location)); // a HEAD after completion still answers
    }
#pragma warning restore CA5350, CA5351

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task CreationWithUpload_DeferredLength_AndNoNameMeansTheId(StoreKind kind)
    {
        await using var server = await TusServer.StartAsync(kind, azurite);
        var data = UploadServer.RandomBytes(500_000, 22);

        // The whole file in the creation request.
        using (var whole = Creation(("Upload-Length", "500000"), ("Upload-Metadata", Metadata(("name", "whole.bin")))))
        {
            whole.Content = Body(data);
            using var created = await server.Client.SendAsync(whole);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("500000", Header(created, "Upload-Offset"));
        }

        Assert.Equal(data, await server.PublishedAsync("whole.bin"));

        // The length only known with the last chunk; no file name.
        using var deferred = await server.Client.SendAsync(Creation(("Upload-Defer-Length", "1")));
        var location = deferred.Headers.Location!.OriginalString;
        using (var head = await server.Client.SendAsync(Request(HttpMethod.Head, location)))
        {
            Assert.Equal("1", Header(head, "Upload-Defer-Length"));
            Assert.Null(Header(head, "Upload-Length"));
        }

        using (var first = await server.Client.SendAsync(Chunk(location, 0, data[..200_000])))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        using var last = Chunk(location, 200_000, data[200_000..]);
        last.Headers.Add("Upload-Length", "500000");
        using (var done = await server.Client.SendAsync(last))
        {
            Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        }

        Assert.Equal(data, await server.PublishedAsync(location[(location.LastIndexOf('/') + 1)..]));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task PartialUploadsConcatenatedByAFinalOne_ArePublishedAsOneFile(StoreKind kind)
    {
        await using var server = await TusServer.StartAsync(kind, azurite);
        var data = UploadServer.RandomBytes(900_000, 23);
        var partials = new List<string>();
        foreach (var (from, to) in new[] { (0, 300_000), (300_000, 900_000) })
        {
            using var partial = Creation(("Upload-Length", (to - from).ToString(CultureInfo.InvariantCulture)), ("Upload-Concat", "partial"));
            partial.Content = Body(data[from..to]);
            using var created = await server.Client.SendAsync(partial);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            partials.Add(created.Headers.Location!.OriginalString);
        }

        Assert.Empty(await server.PublishedNamesAsync()); // a complete partial upload publishes nothing

        using (var incomplete = await server.Client.SendAsync(Creation(("Upload-Length", "10"), ("Upload-Concat", "partial"))))
        {
            using var refused = await server.Client.SendAsync(Creation(("Upload-Concat", $"final;{partials[0]} {incomplete.Headers.Location!.OriginalString}")));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        // One URL absolute, one relative: clients send either.
        using var final = await server.Client.SendAsync(Creation(
            ("Upload-Concat", $"final;{new Uri(server.BaseAddress, partials[0]).AbsoluteUri} {partials[1]}"), ("Upload-Metadata", Metadata(("filename", "joined.bin"))), ("Want-Repr-Digest", "sha-256=5")));
        Assert.Equal(HttpStatusCode.Created, final.StatusCode);
        Assert.Equal(UploadServer.Sha256Field(data), Header(final, "Repr-Digest")); // the digest of the joined bytes
        Assert.Equal(data, await server.PublishedAsync("joined.bin"));
        var location = final.Headers.Location!.OriginalString;
        using (var head = await server.Client.SendAsync(Request(HttpMethod.Head, location)))
        {
            Assert.Equal("900000", Header(head, "Upload-Offset"));
            Assert.Equal($"final;{partials[0]} {partials[1]}", Header(head, "Upload-Concat"));
        }

        using var patch = await server.Client.SendAsync(Chunk(location, 900_000, [1]));
        Assert.Equal(HttpStatusCode.Forbidden, patch.StatusCode);
        using var gone = await server.Client.SendAsync(Request(HttpMethod.Head, partials[0]));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode); // the partial uploads are removed once joined
    }

    [Theory]
    [InlineData(StoreKind.Local, TestProtocol.Http2Tls)]
    [InlineData(StoreKind.Local, TestProtocol.H2c)]
    [InlineData(StoreKind.AzureBlob, TestProtocol.Http2Tls)]
    public async Task OverHttp2_ChunksWithChecksums_ArePublished_AndAWrongOneIs460(StoreKind kind, TestProtocol protocol)
    {
        await using var server = await TusServer.StartAsync(kind, azurite, protocol: protocol);
        var data = UploadServer.RandomBytes(2_000_000, 26);
        using var created = await server.Client.SendAsync(Creation(("Upload-Length", "2000000"), ("Upload-Metadata", Metadata(("filename", "h2.bin")))));
        Assert.Equal((HttpStatusCode.Created, new Version(2, 0)), (created.StatusCode, created.Version));
        var location = created.Headers.Location!.OriginalString;

        using (var wrong = await server.Client.SendAsync(Chunk(location, 0, data[..1_000_000], "sha256", new byte[32])))
        {
            Assert.Equal((HttpStatusCode)460, wrong.StatusCode);
        }

        foreach (var (from, to) in new[] { (0, 1_000_000), (1_000_000, 2_000_000) })
        {
            using var append = await server.Client.SendAsync(Chunk(location, from, data[from..to], "sha256", SHA256.HashData(data[from..to])));
            Assert.Equal(HttpStatusCode.NoContent, append.StatusCode);
        }

        Assert.Equal(data, await server.PublishedAsync("h2.bin"));
    }

    [Fact]
    public async Task BinaryMetadataIsKept_AFileNameMustBeText_AndALateLengthIsFixed()
    {
        await using var server = await TusServer.StartAsync(StoreKind.Local, azurite);
        var port = server.BaseAddress.Port;

        // Metadata values are bytes (base64 is all tus asks for): a binary one is kept and echoed as sent; a file name
        // must be UTF-8 text.
        var binary = await RawHttp.SendAsync(port, "POST /tus HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 5\r\nUpload-Metadata: blob //4=,flag\r\nContent-Length: 0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 201", binary, StringComparison.Ordinal);
        var binaryLocation = binary.Split("\r\n").Single(line => line.StartsWith("Location: ", StringComparison.Ordinal))["Location: ".Length..];
        Assert.Contains("Upload-Metadata: blob //4=,flag", await RawHttp.SendAsync(port, $"HEAD {binaryLocation} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", await RawHttp.SendAsync(port, "POST /tus HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 5\r\nUpload-Metadata: filename //4=\r\nContent-Length: 0\r\n\r\n"), StringComparison.Ordinal);

        // A length announced late is as fixed as one given at creation, also once the upload is complete.
        using var deferred = await server.Client.SendAsync(Creation(("Upload-Defer-Length", "1")));
        var deferredLocation = deferred.Headers.Location!.OriginalString;
        Assert.StartsWith("HTTP/1.1 204", await RawHttp.SendAsync(port, Patch(deferredLocation, "0", TusChunk, 6, "Upload-Length: 6\r\n")), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", await RawHttp.SendAsync(port, Patch(deferredLocation, "6", TusChunk, 0, "Upload-Length: 7\r\n")), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 204", await RawHttp.SendAsync(port, Patch(deferredLocation, "6", TusChunk, 0, "Upload-Length: 6\r\n")), StringComparison.Ordinal);

        // Data past Upload-Length is the same 400 whether a Content-Length says so up front or a chunked body shows it.
        using var small = await server.Client.SendAsync(Creation(("Upload-Length", "10")));
        var smallLocation = small.Headers.Location!.OriginalString;
        var chunked = await RawHttp.SendAsync(port, $"PATCH {smallLocation} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
            + $"Content-Type: {TusChunk}\r\nTransfer-Encoding: chunked\r\n\r\n8\r\naaaaaaaa\r\n8\r\naaaaaaaa\r\n0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", chunked, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", await RawHttp.SendAsync(port, Patch(smallLocation, "0", TusChunk, 16)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryErrorStatus_OverARawConnection()
    {
        await using var server = await TusServer.StartAsync(StoreKind.Local, azurite, new() { ["Resumable:Expiry"] = "00:00:02", ["Resumable:CleanupInterval"] = "01:00:00" });
        using var created = await server.Client.SendAsync(Creation(("Upload-Length", "100")));
        var location = created.Headers.Location!.OriginalString;
        var port = server.BaseAddress.Port;

        var noVersion = await RawHttp.SendAsync(port, $"HEAD {location} HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 412", noVersion, StringComparison.Ordinal);
        Assert.Contains("Tus-Version: 1.0.0", noVersion, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 415", await RawHttp.SendAsync(port, Patch(location, "0", "application/octet-stream", 10)), StringComparison.Ordinal);
        var mismatch = await RawHttp.SendAsync(port, Patch(location, "5", TusChunk, 10));
        Assert.StartsWith("HTTP/1.1 409", mismatch, StringComparison.Ordinal);
        Assert.Contains("Upload-Offset: 0", mismatch, StringComparison.Ordinal);
        var checksum = await RawHttp.SendAsync(port, Patch(location, "0", TusChunk, 10, "Upload-Checksum: sha1 " + Convert.ToBase64String(new byte[20]) + "\r\n"));
        Assert.StartsWith("HTTP/1.1 460 Checksum Mismatch\r\n", checksum, StringComparison.Ordinal); // a phrase, not an empty one
        Assert.StartsWith("HTTP/1.1 400", await RawHttp.SendAsync(port, Patch(location, "0", TusChunk, 10, "Upload-Checksum: crc32 AAAAAA==\r\n")), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 413", await RawHttp.SendAsync(port, $"POST /tus HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: {1L << 40}\r\nContent-Length: 0\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", await RawHttp.SendAsync(port, "POST /tus HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 5\r\nUpload-Metadata: filename Li4vZXNjYXBl\r\nContent-Length: 0\r\n\r\n"), StringComparison.Ordinal); // "../escape"
        Assert.StartsWith("HTTP/1.1 400", await RawHttp.SendAsync(port, "POST /tus HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nContent-Length: 0\r\n\r\n"), StringComparison.Ordinal); // no length

        // Termination through the method override, as a client behind a POST-only proxy sends it; then 404.
        Assert.StartsWith("HTTP/1.1 204", await RawHttp.SendAsync(port, $"POST {location} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nX-HTTP-Method-Override: DELETE\r\nContent-Length: 0\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 404", await RawHttp.SendAsync(port, $"HEAD {location} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n\r\n"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 404", await RawHttp.SendAsync(port, Patch(location, "0", TusChunk, 10)), StringComparison.Ordinal);

        // An upload left alone longer than the expiry is gone, before any sweep (the sweep runs hourly here).
        using var idle = await server.Client.SendAsync(Creation(("Upload-Length", "100")));
        var expired = idle.Headers.Location!.OriginalString;
        Assert.NotNull(Header(idle, "Upload-Expires"));
        await Eventually.AssertAsync(() => RawHttp.SendAsync(port, $"HEAD {expired} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\n\r\n").Result.StartsWith("HTTP/1.1 404", StringComparison.Ordinal),
            "the idle upload expired");
        Assert.Equal(1, await server.Store.RemoveExpiredAsync(DateTime.UtcNow, TimeSpan.FromSeconds(2), CancellationToken.None)); // and the sweep removes it
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task TheMethodOverrideCarriesAnAppend_AndRejectRefusesAnExistingName(StoreKind kind)
    {
        await using var server = await TusServer.StartAsync(kind, azurite, new() { ["Overwrite"] = "Reject" });
        var data = UploadServer.RandomBytes(1000, 24);
        using var created = await server.Client.SendAsync(Creation(("Upload-Length", "1000"), ("Upload-Metadata", Metadata(("filename", "once.bin")))));
        var location = created.Headers.Location!.OriginalString;

        using var overridden = Chunk(location, 0, data);
        overridden.Method = HttpMethod.Post;
        overridden.Headers.Add("X-HTTP-Method-Override", "PATCH");
        using (var append = await server.Client.SendAsync(overridden))
        {
            Assert.Equal(HttpStatusCode.NoContent, append.StatusCode);
        }

        Assert.Equal(data, await server.PublishedAsync("once.bin"));

        // The same name again: refused at creation on the local disk, at the publish on the blob store; never replaced.
        using var again = Creation(("Upload-Length", "1000"), ("Upload-Metadata", Metadata(("filename", "once.bin"))));
        again.Content = Body(UploadServer.RandomBytes(1000, 25));
        using var refused = await server.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(data, await server.PublishedAsync("once.bin"));
    }

    private const string TusChunk = "application/offset+octet-stream";

    private static HttpRequestMessage Request(HttpMethod method, string path) => ResumableRequests.Tus(method, path);

    private static HttpRequestMessage Creation(params (string Name, string Value)[] headers)
    {
        var request = Request(HttpMethod.Post, "/tus");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static HttpRequestMessage Chunk(string location, long offset, byte[] data, string? algorithm = null, byte[]? checksum = null)
    {
        var request = Request(HttpMethod.Patch, location);
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        if (algorithm is not null)
        {
            request.Headers.Add("Upload-Checksum", $"{algorithm} {Convert.ToBase64String(checksum!)}");
        }

        request.Content = Body(data);
        return request;
    }

    private static ByteArrayContent Body(byte[] data)
    {
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue(TusChunk);
        return content;
    }

    private static string Metadata(params (string Key, string Value)[] pairs)
        => string.Join(',', pairs.Select(pair => $"{pair.Key} {Convert.ToBase64String(Encoding.UTF8.GetBytes(pair.Value))}"));

    private static async Task<string?> OffsetAsync(TusServer server, string location)
    {
        using var head = await server.Client.SendAsync(Request(HttpMethod.Head, location));
        return Header(head, "Upload-Offset");
    }

    private static string Patch(string location, string offset, string contentType, int length, string extra = "")
        => $"PATCH {location} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\nContent-Type: {contentType}\r\n{extra}Content-Length: {length}\r\n\r\n{new string('a', length)}";

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(", ", values) : null;
}
