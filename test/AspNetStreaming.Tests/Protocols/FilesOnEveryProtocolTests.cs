using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Protocols;

/// <summary>File responses (whole, ranges, validators, preconditions, HEAD) on HTTP/1.1, h2 over TLS and h2c.</summary>
[Collection(ProtocolMatrixGroup.Name)]
public sealed class FilesOnEveryProtocolTests(ProtocolMatrixFixture fixture)
{
    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task WholeFile(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();

        using var response = await client.GetAsync("/files/data.bin");

        Assert.Equal(protocol.VersionOf(), response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ProtocolMatrixFixture.DataLength, response.Content.Headers.ContentLength);
        Assert.Equal(fixture.Data, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>UseStreamingStaticFiles serves through the same engine: whole, one range and several, on each protocol.</summary>
    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task TheStaticFileMiddleware_ServesWholeAndRanges(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();
        using var whole = await client.GetAsync("/static/data.bin");
        Assert.Equal(protocol.VersionOf(), whole.Version);
        Assert.Equal(fixture.Data, await whole.Content.ReadAsByteArrayAsync());

        using var one = new HttpRequestMessage(HttpMethod.Get, "/static/data.bin");
        one.Headers.Range = new RangeHeaderValue(1000, 70_999);
        using var partial = await client.SendAsync(one);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(fixture.Data.AsSpan(1000, 70_000).ToArray(), await partial.Content.ReadAsByteArrayAsync());

        using var several = new HttpRequestMessage(HttpMethod.Get, "/static/data.bin");
        several.Headers.TryAddWithoutValidation("Range", "bytes=0-9,-5");
        using var multipart = await client.SendAsync(several);
        Assert.Equal("multipart/byteranges", multipart.Content.Headers.ContentType!.MediaType);
        Assert.Equal((await multipart.Content.ReadAsByteArrayAsync()).Length, multipart.Content.Headers.ContentLength);
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task SingleRange(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/files/data.bin");
        request.Headers.Range = new RangeHeaderValue(1000, 70_999);

        using var response = await client.SendAsync(request);

        Assert.Equal(protocol.VersionOf(), response.Version);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes 1000-70999/{ProtocolMatrixFixture.DataLength}", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(fixture.Data.AsSpan(1000, 70_000).ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task MultipleRanges_AreMultipartByteranges_WithTheExactLength(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/files/data.bin");
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-9,100000-100099,-5");

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("multipart/byteranges", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        var parts = MultipartParts(body, response.Content.Headers.ContentType.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"'));
        Assert.Equal(3, parts.Count);
        Assert.Equal(fixture.Data.AsSpan(0, 10).ToArray(), parts[0]);
        Assert.Equal(fixture.Data.AsSpan(100_000, 100).ToArray(), parts[1]);
        Assert.Equal(fixture.Data.AsSpan(ProtocolMatrixFixture.DataLength - 5).ToArray(), parts[2]);
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task Validators_Give304And412(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();
        using var first = await client.GetAsync("/files/data.bin", HttpCompletionOption.ResponseHeadersRead);
        var tag = first.Headers.ETag!;

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/files/data.bin");
        conditional.Headers.IfNoneMatch.Add(tag);
        using var notModified = await client.SendAsync(conditional);
        using var mismatch = new HttpRequestMessage(HttpMethod.Get, "/files/data.bin");
        mismatch.Headers.IfMatch.Add(new EntityTagHeaderValue("\"other\""));
        using var failed = await client.SendAsync(mismatch);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(tag, notModified.Headers.ETag);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.PreconditionFailed, failed.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task UnsatisfiableRange_Is416(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/files/data.bin");
        request.Headers.Range = new RangeHeaderValue(ProtocolMatrixFixture.DataLength + 10, null);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal($"bytes */{ProtocolMatrixFixture.DataLength}", response.Content.Headers.ContentRange!.ToString());
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task Head_HasTheHeadersOfGet_AndNoBody(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/files/data.bin"));

        Assert.Equal(protocol.VersionOf(), response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ProtocolMatrixFixture.DataLength, response.Content.Headers.ContentLength);
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>The bodies of a multipart/byteranges response, in order.</summary>
    internal static List<byte[]> MultipartParts(byte[] body, string boundary)
    {
        var text = Encoding.Latin1.GetString(body);
        var delimiter = "--" + boundary;
        var parts = new List<byte[]>();
        var at = text.IndexOf(delimiter, StringComparison.Ordinal);
        while (at >= 0)
        {
            var headersEnd = text.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            var next = text.IndexOf("\r\n" + delimiter, at + delimiter.Length, StringComparison.Ordinal);
            if (headersEnd < 0 || next < 0 || headersEnd > next)
            {
                break;
            }

            parts.Add(body[(headersEnd + 4)..next]);
            at = next + 2;
        }

        return parts;
    }
}
