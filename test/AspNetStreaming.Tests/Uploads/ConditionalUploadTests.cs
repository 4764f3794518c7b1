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

    [Fact]
    public async Task IfNoneMatchComparesWeakly_AWeakFormOfTheCurrentTagIs412()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var first = await server.Client.PutAsync("u/t.bin", new ByteArrayContent([1]));

        using var put = new HttpRequestMessage(HttpMethod.Put, "u/t.bin") { Content = new ByteArrayContent([2]) };
        put.Headers.TryAddWithoutValidation("If-None-Match", "\"other\", W/" + first.Headers.ETag!.Tag);
        using var response = await server.Client.SendAsync(put);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal([1], await File.ReadAllBytesAsync(temp["t.bin"]));
    }

    [Fact]
    public async Task APutOntoADirectoryName_Is409_AndLeavesNoTempFile()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp["sub"]);
        await using var server = await UploadServer.StartAsync(temp.Path);

        using var response = await server.Client.PutAsync("u/sub", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(Directory.Exists(temp["sub"]));
        Assert.Empty(server.TempFiles());
    }

    // The tag answered is the one of the bytes this request stored, even when a racing upload of the same name replaced
    // them before the answer: a tag read back from the name could be the racer's, and an If-Match edit on it would
    // overwrite the racer's upload unseen (a lost update).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EachAnswerCarriesTheTagOfItsOwnBytes_UnderRacingUploadsOfOneName(bool durable)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["Durable"] = durable ? "true" : "false" });
        var wrong = 0;
        for (var round = 0; round < 25; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(1, 8).Select(async i =>
            {
                using var response = await server.Client.PutAsync("u/race.bin", new ByteArrayContent(new byte[i * 1000]));
                // The file tag is "inode-length-ticks" in hex: its length says whose bytes it describes.
                return Convert.ToInt64(response.Headers.ETag!.Tag.Trim('"').Split('-')[^2], 16) == i * 1000;
            }));
            wrong += answers.Count(own => !own);
        }

        Assert.Equal(0, wrong);
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
