using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AspNetStreaming.Tests.Infrastructure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using AspNetStreaming.Tests.Uploads;
using static AspNetStreaming.Tests.Uploads.ResumableRequests;

namespace AspNetStreaming.Tests.Storage;

/// <summary>Resumable uploads (<c>MapResumableUploads</c>) whose bytes and state live in the blob container, so that
/// every request of one upload may land on another instance: the same protocol as on the local disk, the offset the
/// committed blocks, every change conditional on the blob's entity tag, and the publish one atomic commit.</summary>
[Collection(AzuriteServers.Name)]
public sealed class BlobResumableUploadTests(AzuriteServer azurite)
{
    [Fact]
    public async Task AnAppendCutOffMidwayKeepsWhatArrived_AndTheResumedUploadIsPublishedVerified()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        var data = UploadServer.RandomBytes(4_000_000);
        using var create = CreateWithLength("file.bin", data[..1_000_000], data.Length);
        create.Headers.Add("Repr-Digest", UploadServer.Sha256Field(data));
        using var created = await server.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("1000000", Header(created, "Upload-Offset"));
        var location = created.Headers.Location!.OriginalString;
        var upload = server.Container.GetBlockBlobClient(".resumable/" + location[(location.LastIndexOf('/') + 1)..]);

        // 1.5 MB of a 3 MB append, then a reset: the blocks that arrived are staged, and committed once the body fails.
        await AbortAfterAsync(server, location, 3_000_000, data.AsMemory(1_000_000, 1_500_000),
            () => upload.GetBlockList(BlockListTypes.Uncommitted).Value.UncommittedBlocks.Count() >= 4);
        var offset = long.Parse(await Eventually.ValueAsync(() =>
        {
            using var head = server.Client.Send(new HttpRequestMessage(HttpMethod.Head, location));
            var value = Header(head, "Upload-Offset");
            return value != "1000000" ? value : null;
        }, "the bytes of the cut-off append were kept"), CultureInfo.InvariantCulture);
        Assert.InRange(offset, 1_000_001, 2_500_000);
        Assert.DoesNotContain("file.bin", await server.BlobNamesAsync());

        using var completed = await server.Client.SendAsync(Patch(location, offset, complete: true, data[(int)offset..]));
        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        Assert.Equal(UploadServer.Sha256Field(data), Header(completed, "Repr-Digest"));
        Assert.Equal(data, (await server.Container.GetBlobClient("file.bin").DownloadContentAsync()).Value.Content.ToArray());
        Assert.Empty(Directory.EnumerateFileSystemEntries(server.LocalRoot));

        // The upload keeps only its state: a HEAD after a lost response still says complete; its bytes are gone.
        using var after = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        Assert.Equal("?1", Header(after, "Upload-Complete"));
        Assert.Equal("4000000", Header(after, "Upload-Offset"));
        Assert.Equal(0, (await upload.GetPropertiesAsync()).Value.ContentLength);
    }

    [Fact]
    public async Task AnAppendWithAContentDigest_CutOffMidway_CommitsNone_OfItsUncheckedBytes()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        var data = UploadServer.RandomBytes(4_000_000, seed: 6);
        using var created = await server.Client.SendAsync(CreateWithLength("checked.bin", data[..1_000_000], data.Length));
        var location = created.Headers.Location!.OriginalString;
        var upload = server.Container.GetBlockBlobClient(".resumable/" + location[(location.LastIndexOf('/') + 1)..]);
        var digest = $"Content-Digest: sha-256=:{Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(data.AsSpan(1_000_000)))}:\r\n";

        await AbortAfterAsync(server, location, 3_000_000, data.AsMemory(1_000_000, 1_500_000),
            () => upload.GetBlockList(BlockListTypes.Uncommitted).Value.UncommittedBlocks.Count() >= 4, digest);
        await Eventually.AssertAsync(() => server.Host.Logs.Contains(4003), "the cut-off append ended");

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        Assert.Equal("1000000", Header(head, "Upload-Offset"));
        Assert.Equal(1_000_000, (await upload.GetPropertiesAsync()).Value.ContentLength);
    }

    [Fact]
    public async Task EachRequestOnAnotherInstance_CompletesTheSameUpload()
    {
        await using var first = await BlobUploadServer.StartAsync(azurite);
        await using var second = await BlobUploadServer.StartAsync(azurite, sharedContainer: first.Container);
        var data = UploadServer.RandomBytes(2_000_000, seed: 2);

        using var created = await first.Client.SendAsync(CreateWithLength("shared.bin", data[..300_000], data.Length));
        var location = created.Headers.Location!.OriginalString;
        using (var head = await second.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location)))
        {
            Assert.Equal("300000", Header(head, "Upload-Offset"));
        }

        using (var append = await second.Client.SendAsync(Patch(location, 300_000, complete: false, data[300_000..1_200_000])))
        {
            Assert.Equal(HttpStatusCode.NoContent, append.StatusCode);
        }

        // A stale offset is refused with the one the other instance left.
        using (var stale = await first.Client.SendAsync(Patch(location, 300_000, complete: false, data[300_000..400_000])))
        {
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
            Assert.Equal("1200000", Header(stale, "Upload-Offset"));
        }

        using var done = await first.Client.SendAsync(Patch(location, 1_200_000, complete: false, data[1_200_000..]));
        Assert.Equal(HttpStatusCode.Created, done.StatusCode); // reaching Upload-Length completes it
        Assert.Equal(data, await second.Client.GetByteArrayAsync("/files/shared.bin"));

        // DELETE on one instance: the other knows it is gone.
        using var other = await first.Client.SendAsync(CreateWithLength("gone.bin", data[..1000], data.Length));
        var gone = other.Headers.Location!.OriginalString;
        using (var delete = await second.Client.DeleteAsync(gone))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var late = await first.Client.SendAsync(Patch(gone, 1000, complete: false, data[1000..2000]));
        Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);
    }

    [Fact]
    public async Task TwoAppendsRacingFromTwoInstances_OneWinsTheOtherIs409WithTheWinnersOffset()
    {
        await using var first = await BlobUploadServer.StartAsync(azurite);
        await using var second = await BlobUploadServer.StartAsync(azurite, sharedContainer: first.Container);
        var data = UploadServer.RandomBytes(1_000_000, seed: 3);
        using var created = await first.Client.SendAsync(CreateWithLength("race.bin", data[..100_000], data.Length));
        var location = created.Headers.Location!.OriginalString;
        var id = location[(location.LastIndexOf('/') + 1)..];

        // The first instance's append has read the upload (its version) and has no byte yet when the second's, from the
        // same offset, completes: all of its blocks are staged after that commit, so only the commit's condition stops it.
        var loserBody = Encoding.ASCII.GetBytes(new string('x', 600_000));
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await slow.ConnectAsync(IPAddress.Loopback, first.Host.BaseAddress.Port);
        await slow.SendAsync(Encoding.ASCII.GetBytes($"PATCH {location} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {loserBody.Length}\r\n"
            + "Content-Type: application/partial-upload\r\nUpload-Offset: 100000\r\nUpload-Complete: ?0\r\n\r\n"));
        await Eventually.AssertAsync(() => first.Resumable.IsActive(id), "the slow append began");

        using (var winner = await second.Client.SendAsync(Patch(location, 100_000, complete: false, data[100_000..700_000])))
        {
            Assert.Equal(HttpStatusCode.NoContent, winner.StatusCode);
            Assert.Equal("700000", Header(winner, "Upload-Offset"));
        }

        await slow.SendAsync(loserBody);
        var answer = await RawHttp.ReadHeadAsync(slow);
        Assert.StartsWith("HTTP/1.1 409", answer, StringComparison.Ordinal);
        Assert.Contains("Upload-Offset: 700000", answer, StringComparison.Ordinal);

        using var done = await first.Client.SendAsync(Patch(location, 700_000, complete: true, data[700_000..]));
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        Assert.Equal(data, await first.Client.GetByteArrayAsync("/files/race.bin")); // never a byte of the loser's
    }

    [Fact]
    public async Task AWrongWholeDigestPublishesNothing_AndTheExpirySweepIsSafeOnEveryInstanceAtOnce()
    {
        await using var first = await BlobUploadServer.StartAsync(azurite);
        await using var second = await BlobUploadServer.StartAsync(azurite, sharedContainer: first.Container);
        var data = UploadServer.RandomBytes(500_000, seed: 4);
        using var create = CreateWithLength("wrong.bin", data, data.Length);
        create.Headers.Add("Repr-Digest", UploadServer.Sha256Field(data[1..]));
        using var refused = await first.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Empty(await first.BlobNamesAsync()); // neither the file nor the upload

        for (var i = 0; i < 3; i++)
        {
            using var pending = await first.Client.SendAsync(CreateWithLength($"pending{i}.bin", data[..1000], data.Length));
            Assert.Equal(HttpStatusCode.Created, pending.StatusCode);
        }

        var expiry = TimeSpan.FromHours(24);
        Assert.Equal(0, await first.Resumable.RemoveExpiredAsync(DateTime.UtcNow, expiry, CancellationToken.None));
        var later = DateTime.UtcNow + expiry + TimeSpan.FromMinutes(1);
        var removed = await Task.WhenAll(
            first.Resumable.RemoveExpiredAsync(later, expiry, CancellationToken.None),
            second.Resumable.RemoveExpiredAsync(later, expiry, CancellationToken.None));
        Assert.Equal(3, removed.Sum()); // each removed exactly once, whichever instance got there first
        Assert.Empty(await first.BlobNamesAsync());
    }

    [Fact]
    public async Task AKillBetweenTheTargetsCommitAndTheUploadsOwn_LeavesACompleteUpload_NotA412()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        using var create = CreateWithLength("crash.bin", [1, 2, 3], 6);
        create.Headers.Add("If-None-Match", "*");
        using var created = await server.Client.SendAsync(create);
        var location = created.Headers.Location!.OriginalString;
        var id = location[(location.LastIndexOf('/') + 1)..];
        var upload = server.Container.GetBlockBlobClient(".resumable/" + id);

        // As the kill leaves it: the upload holds every byte (an append committed them), and the publish committed the
        // target, with the mark of the upload's version it came from, but not yet the upload's completed state.
        var properties = (await upload.GetPropertiesAsync()).Value;
        var blocks = (await upload.GetBlockListAsync(BlockListTypes.Committed)).Value.CommittedBlocks.Select(block => block.Name).ToList();
        var more = AspNetStreaming.Storage.AzureBlob.BlobUploader.BlockId(Guid.NewGuid(), 0);
        await upload.StageBlockAsync(more, new MemoryStream([4, 5, 6]));
        var full = (await upload.CommitBlockListAsync([.. blocks, more], new CommitBlockListOptions
        {
            Metadata = properties.Metadata,
            Conditions = new() { IfMatch = properties.ETag },
        })).Value;
        var mark = AspNetStreaming.Storage.AzureBlob.BlobResumableObjects.PublishedBy(new(id, 6, "", full.ETag.ToString("H"), full.LastModified));
        var target = server.Container.GetBlockBlobClient("crash.bin");
        await target.UploadAsync(new MemoryStream([1, 2, 3, 4, 5, 6]), new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { [AspNetStreaming.Storage.AzureBlob.BlobResumableObjects.PublishedByKey] = mark },
        });
        var published = (await target.GetPropertiesAsync()).Value.ETag;

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        using var again = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));

        Assert.Equal(HttpStatusCode.NoContent, head.StatusCode);
        Assert.Equal(("?1", "6"), (Header(head, "Upload-Complete"), Header(head, "Upload-Offset")));
        Assert.Equal(("?1", "6"), (Header(again, "Upload-Complete"), Header(again, "Upload-Offset")));
        Assert.Equal(published, (await target.GetPropertiesAsync()).Value.ETag); // found published, not written again
        Assert.Equal(0, (await upload.GetPropertiesAsync()).Value.ContentLength); // the upload kept only its state
    }

    [Fact]
    public async Task ACreateOnlyUploadWhoseNameWasTakenMeanwhile_Is412AtItsPublish_AndTheOtherFileStays()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        using var create = CreateWithLength("taken.bin", [1, 2, 3], 6);
        create.Headers.Add("If-None-Match", "*");
        using var created = await server.Client.SendAsync(create);
        var location = created.Headers.Location!.OriginalString;
        using (var other = await server.Client.PutAsync("/uploads/taken.bin", new ByteArrayContent([9, 9])))
        {
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        }

        using var completing = await server.Client.SendAsync(Patch(location, 3, complete: true, [4, 5, 6]));

        Assert.Equal(HttpStatusCode.PreconditionFailed, completing.StatusCode);
        Assert.Equal(new byte[] { 9, 9 }, (await server.Container.GetBlobClient("taken.bin").DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task AStoreThatCannotBeReachedIs503WithRetryAfter()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, connectionString: azurite.UnreachableConnectionString());

        using var created = await server.Client.SendAsync(CreateWithLength("down.bin", new byte[1000], 2000));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, created.StatusCode);
        Assert.Equal("5", created.Headers.RetryAfter?.ToString());
        Assert.Equal("application/problem+json", created.Content.Headers.ContentType?.MediaType);
        Assert.True(server.Logs.Contains(4007));
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/r/" + new string('a', 32)));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, head.StatusCode);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(server.LocalRoot, "*", SearchOption.AllDirectories), path => !path.Contains(".resumable", StringComparison.Ordinal));
    }

    private static async Task AbortAfterAsync(BlobUploadServer server, string location, long contentLength, ReadOnlyMemory<byte> sent, Func<bool> serverHasIt,
        string extraHeaders = "")
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, server.Host.BaseAddress.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"PATCH {location} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {contentLength}\r\n"
            + $"Content-Type: application/partial-upload\r\nUpload-Offset: 1000000\r\nUpload-Complete: ?1\r\n{extraHeaders}\r\n"));
        await socket.SendAsync(sent);
        await Eventually.AssertAsync(serverHasIt, "the server staged the append's first blocks");
        socket.LingerState = new LingerOption(true, 0); // RST: an abrupt client failure
        socket.Close();
    }
}
