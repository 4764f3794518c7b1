using System.Net;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Storage;

/// <summary>A raw upload's conditions in a blob container, as on the disk: the overwrite policy, If-Match, If-None-Match
/// (* and tags) and If-Unmodified-Since, checked before the body is read and again, atomically, at the commit.</summary>
[Collection(AzuriteServers.Name)]
public sealed class BlobUploadConditionTests(AzuriteServer azurite)
{
    [Fact]
    public async Task RejectIsACreateOnlyCommit_AndIfMatchNamesTheVersionToReplace()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, overwrite: "Reject");
        var first = BlobUploadServer.RandomBytes(100_000);
        using var created = await server.PutAsync("r.bin", first);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var again = await server.PutAsync("r.bin", BlobUploadServer.RandomBytes(100_000));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        using var stale = await server.PutAsync("r.bin", BlobUploadServer.RandomBytes(10), ifMatch: "\"0x0\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(first, (await server.Container.GetBlobClient("r.bin").DownloadContentAsync()).Value.Content.ToArray());

        var second = BlobUploadServer.RandomBytes(50_000);
        using var replaced = await server.PutAsync("r.bin", second, ifMatch: created.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);
        Assert.Equal(second, (await server.Container.GetBlobClient("r.bin").DownloadContentAsync()).Value.Content.ToArray());
    }

    // The service takes one tag per condition; a list is the client's right (RFC 9110 §13.1.1) and answered as on the disk.
    [Fact]
    public async Task IfMatchWithAListOfTags_ReplacesWhenOneIsCurrent_ForARawAndAResumableUpload()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        using var created = await server.PutAsync("l.bin", [1, 2, 3]);
        var second = BlobUploadServer.RandomBytes(600_000);
        using var raw = await server.PutAsync("l.bin", second, ifMatch: $"\"other\", {created.Headers.ETag}");
        Assert.Equal(HttpStatusCode.NoContent, raw.StatusCode);
        using var none = await server.PutAsync("l.bin", [9], ifMatch: $"\"other\", {created.Headers.ETag}"); // no longer current
        Assert.Equal(HttpStatusCode.PreconditionFailed, none.StatusCode);

        var third = BlobUploadServer.RandomBytes(300_000);
        using var resumable = new HttpRequestMessage(HttpMethod.Post, "r/l.bin") { Content = new ByteArrayContent(third) };
        resumable.Headers.Add("Upload-Complete", "?1");
        resumable.Headers.TryAddWithoutValidation("If-Match", $"\"other\", {raw.Headers.ETag}");
        using var done = await server.Client.SendAsync(resumable);
        Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
        Assert.Equal(third, (await server.Container.GetBlobClient("l.bin").DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task IfNoneMatchStarOnAnExistingBlob_Is412AsOnTheDisk_AndKeepsIt()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        var first = BlobUploadServer.RandomBytes(1000);
        using (var created = await server.PutAsync("n.bin", first))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, "/uploads/n.bin") { Content = new ByteArrayContent(BlobUploadServer.RandomBytes(10)) };
        request.Headers.IfNoneMatch.Add(System.Net.Http.Headers.EntityTagHeaderValue.Any);
        using var refused = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(first, (await server.Container.GetBlobClient("n.bin").DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task IfNoneMatchTagsAndIfUnmodifiedSince_AreTheBlobsConditions_AsOnTheDisk()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        using var created = await server.PutAsync("c.bin", [1]);
        var current = created.Headers.ETag!;

        Assert.Equal(HttpStatusCode.PreconditionFailed, (await SendAsync(server, "c.bin", [2], r => r.Headers.IfNoneMatch.Add(current))).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await SendAsync(server, "c.bin", [2], r =>
        {
            r.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"other\""));
            r.Headers.IfNoneMatch.Add(current);
        })).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await SendAsync(server, "c.bin", [2], r => r.Headers.IfUnmodifiedSince = DateTimeOffset.UtcNow.AddDays(-1))).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await SendAsync(server, "none.bin", [2], r => r.Headers.IfUnmodifiedSince = DateTimeOffset.UtcNow.AddDays(1))).StatusCode);
        Assert.Equal([1], (await server.Container.GetBlobClient("c.bin").DownloadContentAsync()).Value.Content.ToArray());

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(server, "c.bin", [3], r => r.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"other\"")))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(server, "c.bin", [4], r => r.Headers.IfUnmodifiedSince = DateTimeOffset.UtcNow.AddDays(1))).StatusCode);
        Assert.Equal([4], (await server.Container.GetBlobClient("c.bin").DownloadContentAsync()).Value.Content.ToArray());
        Assert.False((await server.Container.GetBlobClient("none.bin").ExistsAsync()).Value);
    }

    [Theory]
    [InlineData("c.bin", "If-Match: \"0xdead\"")]
    [InlineData("missing.bin", "If-Match: *")]
    [InlineData("c.bin", "If-None-Match: *")]
    [InlineData("c.bin", "If-Unmodified-Since: Mon, 01 Jan 2001 00:00:00 GMT")]
    public async Task AFailedPreconditionIs412BeforeTheBody_NoContinue_NothingStaged(string name, string condition)
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        using (var created = await server.PutAsync("c.bin", [1]))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.Host.BaseAddress.Port);
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(
            $"PUT /uploads/{name} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {50 << 20}\r\nExpect: 100-continue\r\n{condition}\r\n\r\n"));

        var head = await RawHttp.ReadHeadAsync(socket).WaitAsync(Eventually.DefaultTimeout);

        Assert.StartsWith("HTTP/1.1 412", head, StringComparison.Ordinal); // not 100 Continue: the body is never asked for
    }

    private static async Task<HttpResponseMessage> SendAsync(BlobUploadServer server, string name, byte[] body, Action<HttpRequestMessage> conditions)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/uploads/" + name) { Content = new ByteArrayContent(body) };
        conditions(request);
        return await server.Client.SendAsync(request);
    }
}
