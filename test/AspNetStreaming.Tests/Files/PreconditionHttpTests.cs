using System.Net;
using Microsoft.Net.Http.Headers;

namespace AspNetStreaming.Tests.Files;

/// <summary>Conditional requests over real Kestrel, table-driven, in RFC 9110 §13.2.2 order.</summary>
[Collection(FileServerGroup.Name)]
public sealed class PreconditionHttpTests(FileServerFixture server)
{
    private static readonly DateTimeOffset LastModified = new(FileServerFixture.DataLastWrite.AddTicks(-(FileServerFixture.DataLastWrite.Ticks % TimeSpan.TicksPerSecond)), TimeSpan.Zero);

    public static TheoryData<string, string, int> Cases => new()
    {
        // method, headers ("Name: value" separated by '|', with {etag} {lm} {lm-1h} {lm+1h} {future} placeholders), status
        { "GET", "", 200 },
        { "GET", "If-Match: {etag}", 200 },
        { "GET", "If-Match: \"other\", {etag}", 200 },
        { "GET", "If-Match: *", 200 },
        { "GET", "If-Match: \"other\"", 412 },
        { "GET", "If-Match: W/{etag}", 412 },
        { "GET", "If-Match: garbage", 412 },
        { "GET", "If-Match: \"other\"|If-None-Match: {etag}", 412 },
        { "GET", "If-Match: {etag}|If-Unmodified-Since: {lm-1h}", 200 },
        { "GET", "If-Unmodified-Since: {lm}", 200 },
        { "GET", "If-Unmodified-Since: {lm+1h}", 200 },
        { "GET", "If-Unmodified-Since: {lm-1h}", 412 },
        { "GET", "If-Unmodified-Since: not a date", 200 },
        { "GET", "If-Unmodified-Since: {lm-1h}|If-None-Match: {etag}", 412 },
        { "GET", "If-None-Match: {etag}", 304 },
        { "HEAD", "If-None-Match: {etag}", 304 },
        { "GET", "If-None-Match: W/{etag}", 304 },
        { "GET", "If-None-Match: \"a\", {etag}", 304 },
        { "GET", "If-None-Match: *", 304 },
        { "GET", "If-None-Match: \"other\"", 200 },
        { "GET", "If-None-Match: {etag}, garbage", 200 }, // a malformed list matches nothing (found by the property test)
        { "GET", "If-Match: {etag}, garbage", 412 },
        { "GET", "If-None-Match: \"other\"|If-Modified-Since: {lm}", 200 },
        { "GET", "If-None-Match: {etag}|If-Modified-Since: {lm-1h}", 304 },
        { "GET", "If-Modified-Since: {lm}", 304 },
        { "GET", "If-Modified-Since: {lm+1h}", 304 },
        { "GET", "If-Modified-Since: {lm-1h}", 200 },
        { "GET", "If-Modified-Since: {future}", 200 },
        { "GET", "If-Modified-Since: yesterday", 200 },
        { "POST", "If-None-Match: {etag}", 412 },
        { "POST", "If-None-Match: *", 412 },
        { "POST", "If-Modified-Since: {lm}", 200 },
        { "GET", "Range: bytes=0-9|If-Range: {etag}", 206 },
        { "GET", "Range: bytes=0-9|If-Range: {lm}", 206 },
        { "GET", "Range: bytes=0-9|If-Range: \"other\"", 200 },
        { "GET", "Range: bytes=0-9|If-Range: W/{etag}", 200 },
        { "GET", "Range: bytes=0-9|If-Range: {lm-1h}", 200 },
        { "GET", "Range: bytes=0-9|If-Range: {lm+1h}", 200 },
        { "GET", "Range: bytes=0-9|If-Range: garbage", 200 },
        { "GET", "If-Range: \"other\"", 200 },
        { "GET", "Range: bytes=20000-|If-Range: \"other\"", 200 },
        { "GET", "Range: bytes=20000-|If-Range: {etag}", 416 },
        { "GET", "Range: bytes=0-9|If-None-Match: {etag}", 304 },
        { "GET", "Range: bytes=0-9|If-Match: \"other\"", 412 },
    };

    /// <summary>The GET and HEAD cases (the middleware passes other methods on), for <c>UseStreamingStaticFiles</c>.</summary>
    public static TheoryData<string, string, int> ReadCases()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var row in Cases.Where(row => (string)row[0] != "POST"))
        {
            data.Add((string)row[0], (string)row[1], (int)row[2]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public Task EvaluatesInRfcOrder(string method, string headers, int status)
        => EvaluateAsync(method == "POST" ? "post-file" : "files/data.bin", method, headers, status);

    [Theory]
    [MemberData(nameof(ReadCases))]
    public Task EvaluatesInRfcOrderInTheStaticFileMiddleware(string method, string headers, int status)
        => EvaluateAsync("static/data.bin", method, headers, status);

    private async Task EvaluateAsync(string url, string method, string headers, int status)
    {
        var etag = await CurrentETagAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        foreach (var header in headers.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = (header[..header.IndexOf(':', StringComparison.Ordinal)], header[(header.IndexOf(':', StringComparison.Ordinal) + 2)..]);
            value = value.Replace("{etag}", etag, StringComparison.Ordinal)
                .Replace("{lm-1h}", HeaderUtilities.FormatDate(LastModified.AddHours(-1)), StringComparison.Ordinal)
                .Replace("{lm+1h}", HeaderUtilities.FormatDate(LastModified.AddHours(1)), StringComparison.Ordinal)
                .Replace("{lm}", HeaderUtilities.FormatDate(LastModified), StringComparison.Ordinal)
                .Replace("{future}", HeaderUtilities.FormatDate(DateTimeOffset.UtcNow.AddDays(2)), StringComparison.Ordinal);
            Assert.True(request.Headers.TryAddWithoutValidation(name, value));
        }

        var response = await server.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(status, (int)response.StatusCode);
        switch (status)
        {
            case 304:
                Assert.Equal(etag, response.Headers.ETag!.ToString());
                Assert.Equal(LastModified, response.Content.Headers.LastModified);
                Assert.False(response.Content.Headers.Contains("Content-Length"));
                Assert.Null(response.Content.Headers.ContentType);
                Assert.Empty(body);
                break;
            case 412:
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
                Assert.True(server.Host.Logs.Contains(2005));
                break;
            case 200:
                Assert.Equal(server.Data, body);
                break;
        }
    }

    [Fact]
    public async Task ValidatorsDescribeTheFile()
    {
        var response = await server.Client.GetAsync("files/data.bin");
        var etag = response.Headers.ETag!;
        Assert.False(etag.IsWeak);
        Assert.Equal(LastModified, response.Content.Headers.LastModified);

        // A rewrite with the same length changes the tag (the last write time is part of it).
        var other = await server.Client.GetAsync("files/hello.txt");
        Assert.NotEqual(etag.Tag, other.Headers.ETag!.Tag);
    }

    [Theory]
    [InlineData("files")]
    [InlineData("static")]
    public async Task AModificationTimeInTheFutureIsSentAsTheResponsesDate(string prefix)
    {
        // RFC 9110 8.8.2.1: never later than Date, or a client revalidating with it would never get a 304.
        var name = $"future-{prefix}.txt";
        var path = Path.Combine(server.Root, name);
        await File.WriteAllTextAsync(path, "from the future");
        File.SetLastWriteTimeUtc(path, new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        try
        {
            using var response = await server.Client.GetAsync($"{prefix}/{name}");

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var lastModified = response.Content.Headers.LastModified!.Value;
            Assert.InRange(lastModified, DateTimeOffset.UtcNow.AddMinutes(-1), response.Headers.Date!.Value);
        }
        finally
        {
            File.Delete(path); // the root is the collection's
        }
    }

    [Fact]
    public async Task NotModifiedCarriesCacheHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "capped/data.bin");
        request.Headers.TryAddWithoutValidation("If-None-Match", await CurrentETagAsync());
        var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal("public, max-age=60", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task OverridesReplaceTheValidators()
    {
        var response = await server.Client.GetAsync("override");
        Assert.Equal("\"v1\"", response.Headers.ETag!.Tag);
        Assert.Equal(FileServerFixture.OverrideLastModified, response.Content.Headers.LastModified);

        using var request = new HttpRequestMessage(HttpMethod.Get, "override");
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-1");
        request.Headers.TryAddWithoutValidation("If-Range", "\"v1\"");
        Assert.Equal(HttpStatusCode.PartialContent, (await server.Client.SendAsync(request)).StatusCode);

        using var bytesRequest = new HttpRequestMessage(HttpMethod.Get, "bytes");
        bytesRequest.Headers.TryAddWithoutValidation("If-Modified-Since", HeaderUtilities.FormatDate(FileServerFixture.OverrideLastModified));
        Assert.Equal(HttpStatusCode.NotModified, (await server.Client.SendAsync(bytesRequest)).StatusCode);
    }

    private async Task<string> CurrentETagAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "files/data.bin");
        var response = await server.Client.SendAsync(request);
        return response.Headers.ETag!.ToString();
    }
}
