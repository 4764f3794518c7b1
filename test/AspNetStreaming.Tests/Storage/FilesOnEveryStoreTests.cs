using System.Net;
using System.Net.Http.Headers;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Storage;

/// <summary>The same file requests against every store behind <c>MapFiles</c>: the local disk and a blob container
/// (Azurite), each on HTTP/1.1 and HTTP/2. Whole bodies, HEAD, single, suffix and multiple ranges, 416, the RFC 9110 preconditions with the
/// store's own validators, names that are never served, and 405.</summary>
[Collection(AzuriteServers.Name)]
public sealed class FilesOnEveryStoreTests(AzuriteServer azurite)
{
    /// <summary>Every store on HTTP/1.1 and on HTTP/2 over TLS (what browsers speak to an HTTPS endpoint).</summary>
    public static TheoryData<StoreKind, TestProtocol> Stores => new()
    {
        { StoreKind.Local, TestProtocol.Http11 },
        { StoreKind.AzureBlob, TestProtocol.Http11 },
        { StoreKind.Local, TestProtocol.Http2Tls },
        { StoreKind.AzureBlob, TestProtocol.Http2Tls },
    };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task AWholeFileAndItsHead_CarryStrongValidators(StoreKind store, TestProtocol protocol)
    {
        await using var server = await StoreServer.StartAsync(store, azurite, protocol: protocol);
        using var client = server.Host.CreateClient();

        using var get = await client.GetAsync("/files/data.bin");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(server.Data, await get.Content.ReadAsByteArrayAsync());
        Assert.False(get.Headers.ETag!.IsWeak);
        Assert.NotNull(get.Content.Headers.LastModified);
        Assert.Contains("bytes", get.Headers.AcceptRanges);
        Assert.Equal("application/octet-stream", get.Content.Headers.ContentType!.MediaType);

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/files/data.bin"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(StoreServer.DataLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);

        using var text = await client.GetAsync("/files/docs/readme.txt");
        Assert.Equal("text/plain", text.Content.Headers.ContentType!.MediaType);
        Assert.Equal("read me\n", await text.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task SingleSuffixAndMultipleRanges_And416(StoreKind store, TestProtocol protocol)
    {
        await using var server = await StoreServer.StartAsync(store, azurite, protocol: protocol);
        using var client = server.Host.CreateClient();

        using var single = await GetAsync(client, "bytes=100-199");
        Assert.Equal(HttpStatusCode.PartialContent, single.StatusCode);
        Assert.Equal("bytes 100-199/10000", single.Content.Headers.ContentRange!.ToString());
        Assert.Equal(server.Data.AsSpan(100, 100).ToArray(), await single.Content.ReadAsByteArrayAsync());

        using var suffix = await GetAsync(client, "bytes=-500");
        Assert.Equal(server.Data.AsSpan(9500).ToArray(), await suffix.Content.ReadAsByteArrayAsync());

        using var multi = await GetAsync(client, "bytes=0-9,5000-5099,-10");
        Assert.Equal(HttpStatusCode.PartialContent, multi.StatusCode);
        Assert.Equal("multipart/byteranges", multi.Content.Headers.ContentType!.MediaType);
        var body = await multi.Content.ReadAsByteArrayAsync();
        Assert.Equal(multi.Content.Headers.ContentLength, body.LongLength);
        Assert.True(body.AsSpan().IndexOf(server.Data.AsSpan(5000, 100)) > 0);
        Assert.True(body.AsSpan().IndexOf(server.Data.AsSpan(9990, 10)) > 0);

        using var unsatisfiable = await GetAsync(client, "bytes=20000-");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal("bytes */10000", unsatisfiable.Content.Headers.ContentRange!.ToString());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task PreconditionsUseTheStoresValidators(StoreKind store, TestProtocol protocol)
    {
        await using var server = await StoreServer.StartAsync(store, azurite, protocol: protocol);
        using var client = server.Host.CreateClient();
        using var first = await client.GetAsync("/files/data.bin");
        var etag = first.Headers.ETag!;
        var modified = first.Content.Headers.LastModified!.Value;

        Assert.Equal(HttpStatusCode.NotModified, await StatusAsync(client, r => r.Headers.IfNoneMatch.Add(etag)));
        Assert.Equal(HttpStatusCode.NotModified, await StatusAsync(client, r => r.Headers.IfModifiedSince = modified));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await StatusAsync(client, r => r.Headers.IfMatch.Add(new EntityTagHeaderValue("\"other\""))));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await StatusAsync(client, r => r.Headers.IfUnmodifiedSince = modified.AddDays(-1)));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, r => r.Headers.IfMatch.Add(etag)));
        // If-Range: the range only while the representation is the one the client has.
        Assert.Equal(HttpStatusCode.PartialContent, await StatusAsync(client, r => { r.Headers.Range = new RangeHeaderValue(0, 9); r.Headers.IfRange = new RangeConditionHeaderValue(etag); }));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, r => { r.Headers.Range = new RangeHeaderValue(0, 9); r.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"old\"")); }));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task MissingNamesDotFilesAndFoldersAre404_AndOtherMethods405(StoreKind store, TestProtocol protocol)
    {
        await using var server = await StoreServer.StartAsync(store, azurite, protocol: protocol);
        using var client = server.Host.CreateClient();

        foreach (var path in new[] { "/files/missing.bin", "/files/.hidden", "/files/docs", "/files/docs/" })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }

        using var post = await client.PostAsync("/files/data.bin", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal("GET, HEAD", post.Content.Headers.Allow is { Count: > 0 } allow ? string.Join(", ", allow) : "");
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/files/data.bin");
        request.Headers.TryAddWithoutValidation("Range", range);
        return await client.SendAsync(request);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, Action<HttpRequestMessage> conditions)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/files/data.bin");
        conditions(request);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
