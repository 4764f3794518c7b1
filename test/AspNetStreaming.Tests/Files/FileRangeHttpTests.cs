using System.Net;
using System.Net.Http.Headers;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using HeaderUtilities = Microsoft.Net.Http.Headers.HeaderUtilities;

namespace AspNetStreaming.Tests.Files;

/// <summary>Range requests over real Kestrel, table-driven, for the file mapping and the stream and bytes results.</summary>
[Collection(FileServerGroup.Name)]
public sealed class FileRangeHttpTests(FileServerFixture server)
{
    private const int N = FileServerFixture.DataLength;

    public static TheoryData<string, string?, string> Cases()
    {
        // url, Range header, expected: "full" | "416" | "a-b[,c-d...]"
        var data = new TheoryData<string, string?, string>();
        foreach (var url in new[] { "files/data.bin", "static/data.bin", "stream", "bytes" })
        {
            data.Add(url, null, "full");
            data.Add(url, "bytes=0-0", "0-0");
            data.Add(url, "bytes=0-499", "0-499");
            data.Add(url, "bytes=9000-", "9000-9999");
            data.Add(url, "bytes=-100", "9900-9999");
            data.Add(url, "bytes=-20000", "0-9999");
            data.Add(url, "bytes=9990-20000", "9990-9999");
            data.Add(url, "bytes=0-9,100-199", "0-9,100-199");
            data.Add(url, "bytes=100-199 , ,0-9", "0-9,100-199");
            data.Add(url, "bytes=0-9,5-14,15-20", "0-20");
            data.Add(url, "bytes=0-0,-1,5000-5001", "0-0,5000-5001,9999-9999");
            data.Add(url, "bytes=10000-", "416");
            data.Add(url, "bytes=-0", "416");
            data.Add(url, "bytes=5-1", "full");
            data.Add(url, "pages=0-1", "full");
            data.Add(url, "bytes=0-,0-", "full");
        }

        data.Add("files/hello.txt", "bytes=0-4", "0-4");
        data.Add("capped/data.bin", "bytes=0-1,5-6", "0-1,5-6");
        data.Add("capped/data.bin", "bytes=0-1,5-6,9-10", "full");
        data.Add("noranges/data.bin", "bytes=0-1", "full");
        data.Add("stream-offset", "bytes=0-9,100-109", "0-9,100-109");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AnswersRanges(string url, string? range, string expected)
    {
        var content = url.StartsWith("stream-offset", StringComparison.Ordinal) ? server.Data[1000..] : url.StartsWith("files/hello", StringComparison.Ordinal) ? "hello, ranges\n"u8.ToArray() : server.Data;
        var get = await SendAsync(HttpMethod.Get, url, range);
        var body = await get.Content.ReadAsByteArrayAsync();
        var headers = string.Join("\n", get.Headers.Concat(get.Content.Headers).Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));

        Assert.Equal(url.StartsWith("noranges", StringComparison.Ordinal) ? null : "bytes", get.Headers.AcceptRanges.FirstOrDefault());
        Assert.Equal(body.Length, get.Content.Headers.ContentLength);
        switch (expected)
        {
            case "full":
                Assert.Equal(HttpStatusCode.OK, get.StatusCode);
                Assert.Null(get.Content.Headers.ContentRange);
                Assert.Equal(content, body);
                break;
            case "416":
                Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, get.StatusCode);
                Assert.Equal($"bytes */{content.Length}", get.Content.Headers.GetValues("Content-Range").Single());
                Assert.Empty(body);
                break;
            default:
                Assert.Equal(HttpStatusCode.PartialContent, get.StatusCode);
                var ranges = expected.Split(',').Select(r => r.Split('-').Select(long.Parse).ToArray()).ToArray();
                if (ranges.Length == 1)
                {
                    var (from, to) = (ranges[0][0], ranges[0][1]);
                    Assert.Equal($"bytes {from}-{to}/{content.Length}", get.Content.Headers.GetValues("Content-Range").Single());
                    Assert.Equal(content[(int)from..(int)(to + 1)], body);
                }
                else
                {
                    await AssertMultipartAsync(get, body, content, ranges, url == "bytes" ? "application/x-test" : "application/octet-stream", headers);
                }

                break;
        }

        // HEAD: range handling is defined for GET only (RFC 9110 14.2), so its Range is ignored: the status and headers
        // of a plain GET, no body.
        var head = await SendAsync(HttpMethod.Head, url, range);
        using var plain = await SendAsync(HttpMethod.Get, url, null);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(Normalize(plain), Normalize(head));
    }

    [Theory]
    [InlineData("GET", "", 200)]
    [InlineData("HEAD", "", 200)]
    [InlineData("GET", "Range: bytes=0-9", 206)]
    [InlineData("GET", "Range: bytes=0-9,20-29", 206)]
    [InlineData("GET", "Range: bytes=99999-", 416)]
    [InlineData("GET", "If-None-Match: \"t\"", 304)]
    [InlineData("GET", "If-Match: \"x\"", 412)]
    public async Task DisposesTheStreamOnEveryPath(string method, string header, int status)
    {
        foreach (var leaveOpen in new[] { false, true })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), $"tracked?leaveOpen={leaveOpen}");
            if (header.Length > 0)
            {
                request.Headers.TryAddWithoutValidation(header[..header.IndexOf(':', StringComparison.Ordinal)], header[(header.IndexOf(':', StringComparison.Ordinal) + 2)..]);
            }

            var response = await server.Client.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(status, (int)response.StatusCode);
            Assert.True(server.TrackedStreams.TryDequeue(out var stream));

            // The server disposes after the last byte is flushed, which may be just after the client has it.
            if (!leaveOpen)
            {
                await Eventually.AssertAsync(() => stream.Disposed, "the stream was not disposed");
            }

            Assert.Equal(!leaveOpen, stream.Disposed);
        }
    }

    [Fact]
    public async Task EmptyFileIgnoresRanges()
    {
        var response = await SendAsync(HttpMethod.Get, "files/empty.bin", "bytes=0-0");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task MultipartBoundaryIsRandomPerResponse()
    {
        var first = await SendAsync(HttpMethod.Get, "files/data.bin", "bytes=0-1,5-6");
        var second = await SendAsync(HttpMethod.Get, "files/data.bin", "bytes=0-1,5-6");
        Assert.NotEqual(Boundary(first), Boundary(second));
    }

    [Fact]
    public async Task NonSeekableStreamIsSentWholeWithoutRanges()
    {
        var response = await SendAsync(HttpMethod.Get, "nonseekable", "bytes=0-9");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Headers.AcceptRanges);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal(server.Data, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task DenialOfServiceGuardIsLogged()
    {
        var response = await SendAsync(HttpMethod.Get, "capped/data.bin", "bytes=0-1,5-6,9-10");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(server.Host.Logs.Contains(2004));
        await SendAsync(HttpMethod.Get, "files/data.bin", "bytes=20000-");
        Assert.True(server.Host.Logs.Contains(2003));
    }

    [Fact]
    public async Task DownloadNameUsesRfc6266AndRfc5987()
    {
        var response = await SendAsync(HttpMethod.Get, "download", null);
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Contains("filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9%20%E2%82%AC.bin", response.Content.Headers.GetValues("Content-Disposition").Single(), StringComparison.Ordinal);
        Assert.Equal("naïve résumé €.bin", disposition.FileNameStar);
    }

    [Fact]
    public async Task ContentTypeComesFromTheExtensionOrDefaultsToOctetStream()
    {
        Assert.Equal("text/plain", (await SendAsync(HttpMethod.Get, "files/hello.txt", null)).Content.Headers.ContentType!.MediaType);
        Assert.Equal("application/octet-stream", (await SendAsync(HttpMethod.Get, "files/data.bin", null)).Content.Headers.ContentType!.MediaType);
        Assert.Equal("text/plain", (await SendAsync(HttpMethod.Get, "override", null)).Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task OptionsOverloadAppliesCacheControlAndCap()
    {
        var response = await SendAsync(HttpMethod.Get, "options", "bytes=0-1,5-6");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task MissingFileIsProblemDetails404()
    {
        foreach (var url in new[] { "files/nope.bin", "missing", "files/sub", "files/sub/", "files/" })
        {
            var response = await SendAsync(HttpMethod.Get, url, null);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
    }

    [Fact]
    public async Task OtherMethodsAre405WithAllow()
    {
        foreach (var method in new[] { "POST", "PUT", "DELETE", "PATCH", "OPTIONS" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), "files/data.bin");
            var response = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow.ToArray());
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }

        Assert.True(server.Host.Logs.Contains(2006));
    }

    private static async Task AssertMultipartAsync(HttpResponseMessage response, byte[] body, byte[] content, long[][] ranges, string partType, string headers)
    {
        var type = response.Content.Headers.ContentType!;
        Assert.Equal("multipart/byteranges", type.MediaType);
        var reader = new MultipartReader(Boundary(response), new MemoryStream(body));
        foreach (var range in ranges)
        {
            var section = await reader.ReadNextSectionAsync();
            Assert.True(section is not null, headers);
            Assert.Equal(partType, section.ContentType);
            Assert.Equal($"bytes {range[0]}-{range[1]}/{content.Length}", section.Headers!["Content-Range"].ToString());
            using var part = new MemoryStream();
            await section.Body.CopyToAsync(part);
            Assert.Equal(content[(int)range[0]..(int)(range[1] + 1)], part.ToArray());
        }

        Assert.Null(await reader.ReadNextSectionAsync());
    }

    private static string Boundary(HttpResponseMessage response)
        => HeaderUtilities.RemoveQuotes(response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value).ToString();

    private static string Normalize(HttpResponseMessage response)
        => string.Join("\n", response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key is not "Date")
            .Select(h => h.Key == "Content-Type" && h.Value.Single().StartsWith("multipart", StringComparison.Ordinal) ? "Content-Type: multipart" : $"{h.Key}: {string.Join(",", h.Value)}")
            .Order());

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? range)
    {
        using var request = new HttpRequestMessage(method, url);
        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }

        return await server.Client.SendAsync(request);
    }
}
