using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>The conditional and partial forms of a PUT on the local disk: <c>If-None-Match</c> with tags (RFC 9110
/// §13.1.2: true when none matches), <c>If-Unmodified-Since</c> (§13.1.4), and <c>Content-Range</c>, which a server
/// without partial PUT must refuse (§14.5) rather than store the fragment as the whole file.</summary>
public sealed class ConditionalUploadTests
{
    [Fact]
    public async Task IfNoneMatchWithAnotherTag_Replaces_AndWithTheCurrentTag_Is412()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var first = await server.Client.PutAsync("u/t.bin", new ByteArrayContent([1]));
        var current = first.Headers.ETag!;

        using var other = new HttpRequestMessage(HttpMethod.Put, "u/t.bin") { Content = new ByteArrayContent([2]) };
        other.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"some-other-version\""));
        using var replaced = await server.Client.SendAsync(other);
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);
        Assert.Equal([2], await File.ReadAllBytesAsync(temp["t.bin"]));

        using var same = new HttpRequestMessage(HttpMethod.Put, "u/t.bin") { Content = new ByteArrayContent([3]) };
        same.Headers.IfNoneMatch.Add(replaced.Headers.ETag!);
        using var refused = await server.Client.SendAsync(same);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal([2], await File.ReadAllBytesAsync(temp["t.bin"]));
        Assert.NotEqual(current, replaced.Headers.ETag);
    }

    [Fact]
    public async Task IfUnmodifiedSince_RefusesATargetChangedAfterIt_AndAMissingOne()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        await File.WriteAllBytesAsync(temp["d.bin"], [9]);
        File.SetLastWriteTimeUtc(temp["d.bin"], new DateTime(2020, 1, 1, 12, 0, 0, 500, DateTimeKind.Utc));

        using var stale = await server.Client.SendAsync(Put("d.bin", [1], new DateTime(2019, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        using var missing = await server.Client.SendAsync(Put("nothing.bin", [1], new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.PreconditionFailed, missing.StatusCode);
        Assert.Equal([9], await File.ReadAllBytesAsync(temp["d.bin"]));

        // The file's own Last-Modified (whole seconds) is not "after" itself.
        using var exact = await server.Client.SendAsync(Put("d.bin", [2], new DateTime(2020, 1, 1, 12, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(HttpStatusCode.NoContent, exact.StatusCode);
        Assert.Equal([2], await File.ReadAllBytesAsync(temp["d.bin"]));
        Assert.Equal(["d.bin"], server.Files());
    }

    [Theory]
    [InlineData("bytes 500-504/1000")]
    [InlineData("garbage")]
    public async Task ContentRange_Is400_AndTheFileStaysWhole(string contentRange)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        await File.WriteAllBytesAsync(temp["whole.bin"], new byte[1000]);
        using var request = new HttpRequestMessage(HttpMethod.Put, "u/whole.bin") { Content = new ByteArrayContent(Encoding.ASCII.GetBytes("hello")) };
        request.Content.Headers.TryAddWithoutValidation("Content-Range", contentRange);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1000, new FileInfo(temp["whole.bin"]).Length);
        Assert.Empty(server.TempFiles());
    }

    private static HttpRequestMessage Put(string name, byte[] body, DateTime ifUnmodifiedSince)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, "u/" + name) { Content = new ByteArrayContent(body) };
        request.Headers.IfUnmodifiedSince = ifUnmodifiedSince;
        return request;
    }
}
