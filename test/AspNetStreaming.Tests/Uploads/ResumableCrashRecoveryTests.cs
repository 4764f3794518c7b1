using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AspNetStreaming.Uploads;
using AspNetStreaming.Tests.Infrastructure;
using static AspNetStreaming.Tests.Uploads.ResumableRequests;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>A server killed between an append's last byte and its publish leaves an upload whose data file already
/// holds every announced byte but which is not complete. A client that saw the offset reach the length sends nothing
/// more (every tus client does so; an IETF client that asks with HEAD may too), so the next HEAD must finish the
/// upload. The state is made here as the kill leaves it: the bytes written straight into the upload's data file.</summary>
public sealed class ResumableCrashRecoveryTests
{
    [Fact]
    public async Task Ietf_AHeadFinishesAnUploadWhoseBytesAllArrived_AndASecondHeadSaysTheSame()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var create = CreateWithLength("crash.bin", [1, 2, 3], 6);
        using var created = await server.Client.SendAsync(create);
        var location = created.Headers.Location!.OriginalString;
        await File.AppendAllBytesAsync(PartOf(temp, location), [4, 5, 6]);

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        using var again = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));

        Assert.Equal(HttpStatusCode.NoContent, head.StatusCode);
        Assert.Equal(("?1", "6"), (Header(head, "Upload-Complete"), Header(head, "Upload-Offset")));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, await File.ReadAllBytesAsync(temp["crash.bin"]));
        Assert.Empty(Directory.GetFiles(Path.Join(temp.Path, ".resumable"), "*.part"));
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal("?1", Header(again, "Upload-Complete"));
    }

    [Fact]
    public async Task Tus_AHeadFinishesAnUploadWhoseBytesAllArrived()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var create = Tus(HttpMethod.Post, "/tus");
        create.Headers.Add("Upload-Length", "4");
        create.Headers.Add("Upload-Metadata", "filename " + Convert.ToBase64String(Encoding.UTF8.GetBytes("tus-crash.bin")));
        using var created = await server.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        await File.AppendAllBytesAsync(PartOf(temp, location), [9, 8, 7, 6]);
        Assert.Empty(server.Files());

        using var head = await server.Client.SendAsync(Tus(HttpMethod.Head, location));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("4", Header(head, "Upload-Offset"));
        Assert.Equal(new byte[] { 9, 8, 7, 6 }, await File.ReadAllBytesAsync(temp["tus-crash.bin"]));
    }

    [Fact]
    public async Task BytesThatDoNotMatchTheCreationsDigest_AreNotPublished_AndTheUploadIsGone()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var create = CreateWithLength("wrong.bin", [1], 2);
        create.Headers.Add("Repr-Digest", $"sha-256=:{Convert.ToBase64String(SHA256.HashData(new byte[] { 1, 2 }))}:");
        using var created = await server.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        await File.AppendAllBytesAsync(PartOf(temp, location), [3]); // not the bytes the digest was made of

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        using var after = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));

        Assert.Equal(HttpStatusCode.BadRequest, head.StatusCode);
        Assert.Empty(server.Files());
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task AKillBetweenThePublishRenameAndTheLastStateSave_LeavesACompleteUpload_NotOneAtOffsetZero()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var create = CreateWithLength("renamed.bin", [1, 2, 3], 6);
        create.Headers.Add("If-None-Match", "*");
        using var created = await server.Client.SendAsync(create);
        var location = created.Headers.Location!.OriginalString;
        // As the kill leaves it: the state saved just before the rename (publishing, with the stored length), then the
        // data file renamed to its name, and no later save.
        var statePath = Path.ChangeExtension(PartOf(temp, location), ".json");
        var state = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(statePath), ResumableUploadJsonContext.Default.ResumableUploadState)!;
        (state.Publishing, state.StoredLength) = (true, 6);
        await File.WriteAllBytesAsync(statePath, JsonSerializer.SerializeToUtf8Bytes(state, ResumableUploadJsonContext.Default.ResumableUploadState));
        await File.AppendAllBytesAsync(PartOf(temp, location), [4, 5, 6]);
        File.Move(PartOf(temp, location), temp["renamed.bin"]);

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        using var append = Patch(location, 6, complete: true, [7]);
        using var appended = await server.Client.SendAsync(append);

        Assert.Equal(HttpStatusCode.NoContent, head.StatusCode);
        Assert.Equal(("?1", "6"), (Header(head, "Upload-Complete"), Header(head, "Upload-Offset")));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, await File.ReadAllBytesAsync(temp["renamed.bin"]));
        Assert.False(appended.IsSuccessStatusCode, $"an append to the published upload answered {(int)appended.StatusCode}");
    }

    private static string PartOf(TempDirectory temp, string location)
        => Path.Join(temp.Path, ".resumable", location[(location.LastIndexOf('/') + 1)..] + ".part");
}
