using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AspNetStreaming.Tests.Infrastructure;
using static AspNetStreaming.Tests.Uploads.ResumableRequests;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>A refused resumable request changes nothing: a creation refused for what its headers say leaves no
/// upload behind (and names none in <c>Location</c>), and an append refused as inconsistent appends nothing.</summary>
public sealed class RefusedResumableRequestsTests
{
    public static TheoryData<string, string?, string> TusRefusals => new()
    {
        { "text/plain", null, "5" }, // data that is not application/offset+octet-stream: 415
        { "application/offset+octet-stream", "crc32 AAAA", "5" }, // an algorithm not offered: 400
        { "application/offset+octet-stream", null, "3" }, // more data than Upload-Length
        { "application/offset+octet-stream", "sha1 " + Convert.ToBase64String(new byte[20]), "5" }, // a wrong checksum: 460
    };

    [Theory]
    [MemberData(nameof(TusRefusals))]
    public async Task ATusCreationRefused_LeavesNoUpload(string contentType, string? checksum, string length)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var create = Tus(HttpMethod.Post, "tus");
        create.Headers.Add("Upload-Length", length);
        if (checksum is not null)
        {
            create.Headers.Add("Upload-Checksum", checksum);
        }

        create.Content = new ByteArrayContent(Encoding.ASCII.GetBytes("hello"));
        create.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        using var refused = await server.Client.SendAsync(create);

        Assert.InRange((int)refused.StatusCode, 400, 499);
        Assert.Null(refused.Headers.Location);
        Assert.Empty(Directory.EnumerateFiles(Path.Join(temp.Path, ".resumable")));
    }

    [Fact]
    public async Task AnIetfCreationWithMoreThanItsLength_LeavesNoUpload()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);

        using var refused = await server.Client.SendAsync(CreateWithLength("over.bin", Encoding.ASCII.GetBytes("hello"), 3));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Null(refused.Headers.Location);
        Assert.Empty(Directory.EnumerateFiles(Path.Join(temp.Path, ".resumable")));
    }

    [Fact]
    public async Task AnIetfAppendThatWouldEndShortOfItsLength_IsRefusedBeforeReading_AndAppendsNothing()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var created = await server.Client.SendAsync(CreateWithLength("short.bin", [1, 2, 3, 4, 5], 10));
        var location = created.Headers.Location!.OriginalString;

        using var refused = await server.Client.SendAsync(Patch(location, 5, complete: true, [6, 7]));
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("5", Header(head, "Upload-Offset"));
    }

    [Fact]
    public async Task AnUnknownUploadIs404_LoggedAsARefusal()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "r/" + new string('a', 32)));
        using var delete = await server.Client.DeleteAsync("r/" + new string('b', 32));

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (head.StatusCode, delete.StatusCode));
        Assert.Equal(2, server.Host.Logs.Entries.Count(entry => entry.EventId.Id == 4002));
    }

    [Fact]
    public async Task AnAppendCutOff_IsLoggedOnceAsAnAbortThatKeptItsBytes()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var location = await CreateAsync(server, "cut.bin", [1]);

        await server.AbortAfterAsync("PATCH", location, 1_000_000, new byte[300_000], 300_000, () => server.Appending(location),
            "Content-Type: application/partial-upload\r\nUpload-Offset: 1\r\nUpload-Complete: ?1\r\n");
        await server.WaitUntilLoggedAsync(() => server.Host.Logs.Contains(4003), "the abort was logged");
        await Eventually.AssertAsync(() => !server.Appending(location), "the append ended");

        var abort = Assert.Single(server.Host.Logs.Entries, entry => entry.EventId.Id == 4003);
        Assert.Contains("kept", abort.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Host.Logs.Entries, entry => entry.EventId.Id == 4002);
    }
}
