using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AspNetStreaming.Tests.Infrastructure;
using static AspNetStreaming.Tests.Uploads.ResumableRequests;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>An append that carries a checksum of its own content (tus' <c>Upload-Checksum</c>, RFC 9530's
/// <c>Content-Digest</c>) and breaks off keeps none of its bytes: what arrived cannot be checked against a checksum of
/// bytes that never came, and a resume from its end would publish them unchecked. The offset stays where it was, and
/// the chunk sent again whole is checked and kept. (Without a checksum, what arrived is kept, as before.)</summary>
public sealed class ChecksummedAppendCutOffTests
{
    private const int Chunk = 1_000_000;

    [Fact]
    public async Task ATusPatchWithAChecksum_CutOff_KeepsNothing_AndTheChunkSentAgainIsKept()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var data = UploadServer.RandomBytes(Chunk, seed: 3);
        using var create = Tus(HttpMethod.Post, "tus").WithLength(Chunk);
        using var created = await server.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        var checksum = "sha256 " + Convert.ToBase64String(SHA256.HashData(data));

        await server.AbortAfterAsync("PATCH", location, Chunk, data, 300_000, () => server.BytesOnDisk(location) > 0,
            $"Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nUpload-Checksum: {checksum}\r\n");
        await Eventually.AssertAsync(() => !server.Appending(location), "the cut-off append ended");

        using (var head = await server.Client.SendAsync(Tus(HttpMethod.Head, location)))
        {
            Assert.Equal("0", Header(head, "Upload-Offset"));
        }

        Assert.Equal(0, server.BytesOnDisk(location));
        using var again = Tus(HttpMethod.Patch, location);
        again.Headers.Add("Upload-Offset", "0");
        again.Headers.Add("Upload-Checksum", checksum);
        again.Content = new ByteArrayContent(data);
        again.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        using var resent = await server.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NoContent, resent.StatusCode);
        Assert.Equal(Chunk.ToString(CultureInfo.InvariantCulture), Header(resent, "Upload-Offset"));
    }

    [Fact]
    public async Task AnIetfAppendWithAContentDigest_CutOff_KeepsNothing()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var location = await CreateAsync(server, "digest.bin", [1]);
        var data = UploadServer.RandomBytes(Chunk, seed: 4);

        await server.AbortAfterAsync("PATCH", location, Chunk, data, 300_000, () => server.BytesOnDisk(location) > 1,
            $"Content-Type: application/partial-upload\r\nUpload-Offset: 1\r\nUpload-Complete: ?0\r\nContent-Digest: sha-256=:{Convert.ToBase64String(SHA256.HashData(data))}:\r\n");
        await Eventually.AssertAsync(() => !server.Appending(location), "the cut-off append ended");

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        Assert.Equal("1", Header(head, "Upload-Offset"));
        Assert.Equal(1, server.BytesOnDisk(location));
    }
}
