using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using AspNetStreaming.Tests.Infrastructure;
using static AspNetStreaming.Tests.Uploads.ResumableRequests;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>When a resumable upload is done, and which draft's rules an append follows: the behaviour real clients
/// (tus-js-client's ietf-draft-03 and -05 protocols) depend on.</summary>
public sealed class ResumableCompletionTests
{
    [Fact]
    public async Task ReachingTheAnnouncedLength_Completes_EvenWhenTheLastAppendSaysIncomplete()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var create = CreateWithLength("len.bin", [1, 2, 3], 6);
        using var created = await server.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("?0", Header(created, "Upload-Complete"));
        Assert.Empty(server.Files());

        // A client whose source learns of its end one read later sends its last bytes with Upload-Complete: ?0.
        using var last = await server.Client.SendAsync(Patch(created.Headers.Location!.OriginalString, 3, complete: false, [4, 5, 6]));

        Assert.True(last.IsSuccessStatusCode, $"{(int)last.StatusCode}: {await last.Content.ReadAsStringAsync()}");
        Assert.Equal("?1", Header(last, "Upload-Complete"));
        Assert.Equal("6", Header(last, "Upload-Offset"));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, await File.ReadAllBytesAsync(temp["len.bin"]));
        Assert.Empty(Directory.GetFiles(Path.Join(temp.Path, ".resumable"), "*.part"));
    }

    [Fact]
    public async Task ACreationCarryingTheWholeAnnouncedLength_IsStoredAtOnce()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var create = CreateWithLength("once.bin", [7, 8], 2);

        using var created = await server.Client.SendAsync(create);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("?1", Header(created, "Upload-Complete"));
        Assert.Equal(new byte[] { 7, 8 }, await File.ReadAllBytesAsync(temp["once.bin"]));
    }

    [Fact]
    public async Task BytesBeyondTheAnnouncedLength_AreStillRefused_AndNothingIsStored()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var create = CreateWithLength("over.bin", [1, 2], 4);
        using var created = await server.Client.SendAsync(create);

        using var over = await server.Client.SendAsync(Patch(created.Headers.Location!.OriginalString, 2, complete: false, [3, 4, 5]));

        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
        Assert.Contains("inconsistent-upload-length", await over.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(server.Files());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/offset+octet-stream")]
    public async Task Interop5_AppendsNeedNoPartialUploadMediaType_AndTheAnswersNameVersion5(string? contentType)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var create = new HttpRequestMessage(HttpMethod.Post, "r/five.bin");
        create.Headers.Add("Upload-Draft-Interop-Version", "5");
        create.Headers.Add("Upload-Complete", "?0");
        create.Headers.Add("Upload-Length", "3");
        using var created = await server.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("5", Header(created, "Upload-Draft-Interop-Version"));

        using var append = new HttpRequestMessage(HttpMethod.Patch, created.Headers.Location) { Content = new ByteArrayContent([9, 8, 7]) };
        append.Content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
        append.Headers.Add("Upload-Draft-Interop-Version", "5");
        append.Headers.Add("Upload-Offset", "0");
        append.Headers.Add("Upload-Complete", "?1");
        using var appended = await server.Client.SendAsync(append);

        Assert.True(appended.IsSuccessStatusCode, $"{(int)appended.StatusCode}: {await appended.Content.ReadAsStringAsync()}");
        Assert.Equal("5", Header(appended, "Upload-Draft-Interop-Version"));
        Assert.Equal(new byte[] { 9, 8, 7 }, await File.ReadAllBytesAsync(temp["five.bin"]));
    }

    [Fact]
    public async Task Interop6_AppendsStillNeedThePartialUploadMediaType()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var location = await CreateAsync(server, "six.bin", [1]);
        using var append = Patch(location, 1, complete: true, [2]);
        append.Content!.Headers.ContentType = null;
        append.Headers.Add("Upload-Draft-Interop-Version", "6");

        using var response = await server.Client.SendAsync(append);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("6", Header(response, "Upload-Draft-Interop-Version"));
        Assert.Empty(server.Files());
        Assert.Equal(1, new FileInfo(Directory.GetFiles(Path.Join(temp.Path, ".resumable"), "*.part").Single()).Length); // the refused append added nothing
    }

    [Theory]
    [InlineData("?1;a=1")]
    [InlineData("?1 ; x")]
    public async Task UploadComplete_IsAStructuredBoolean_WhoseParametersAreIgnored(string field)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var create = new HttpRequestMessage(HttpMethod.Post, "r/params.bin") { Content = new ByteArrayContent([1, 2]) };
        create.Headers.TryAddWithoutValidation("Upload-Complete", field);

        using var created = await server.Client.SendAsync(create);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(new byte[] { 1, 2 }, await File.ReadAllBytesAsync(temp["params.bin"]));
    }
}
