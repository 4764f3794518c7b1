using System.Net;
using System.Security.Cryptography;
using AspNetStreaming.Tests.Infrastructure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Tests.Storage;

/// <summary>Raw and multipart uploads (<c>MapUpload</c>, <c>MapMultipartUpload</c>) into a blob container: staged as blocks while the body streams, the digest
/// checked before the commit, visible only once committed, the overwrite policy and preconditions as the store's
/// conditions, and nothing published on any failure.</summary>
[Collection(AzuriteServers.Name)]
public sealed class BlobUploadTests(AzuriteServer azurite)
{
    [Theory]
    [InlineData(TestProtocol.Http11)]
    [InlineData(TestProtocol.Http2Tls)]
    public async Task APutIsCommittedWhole_WithItsDigestChecked_AndServedBack(TestProtocol protocol)
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, protocol: protocol);
        var content = RandomBytes(3 * 1024 * 1024 + 17);

        using var response = await server.PutAsync("a.bin", content, sha256: SHA256.HashData(content));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var blob = server.Container.GetBlobClient("a.bin");
        Assert.Equal(content, (await blob.DownloadContentAsync()).Value.Content.ToArray());
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal(properties.ETag.ToString("H"), response.Headers.ETag!.ToString());
        Assert.Equal(13, (await server.Container.GetBlockBlobClient("a.bin").GetBlockListAsync(BlockListTypes.Committed)).Value.CommittedBlocks.Count());
        Assert.Equal(content, await server.Client.GetByteArrayAsync("/files/a.bin"));
    }

    [Fact]
    public async Task AWrongDigestATooLargeBodyAndAnAbortCommitNothing()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, maxSize: 2 * 1024 * 1024);
        var content = RandomBytes(1024 * 1024);

        using (var mismatch = await server.PutAsync("digest.bin", content, sha256: new byte[32]))
        {
            Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        }

        using (var tooLarge = await server.PutAsync("large.bin", RandomBytes(3 * 1024 * 1024)))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        }

        // A client that sends half its announced length and leaves.
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, server.Host.BaseAddress.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"PUT /uploads/abort.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {content.Length}\r\n\r\n"));
            await stream.WriteAsync(content.AsMemory(0, content.Length / 2));
        }

        Assert.True(await Eventually.TrueAsync(() => server.Logs.Contains(Diagnostics.StreamingEventIds.UploadAborted.Id)));
        foreach (var name in new[] { "digest.bin", "large.bin", "abort.bin" })
        {
            Assert.False((await server.Container.GetBlobClient(name).ExistsAsync()).Value, $"{name} was published");
        }
    }

    [Fact]
    public async Task AStoreThatHangs_IsA503WithRetryAfter_AfterItsNetworkTimeouts_ForDownloadsUploadsAndResumableHeads()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, extraSettings: new Dictionary<string, string?>
        {
            ["Storage:AzureBlob:NetworkTimeout"] = "00:00:01",
            ["Storage:AzureBlob:MaxRetries"] = "1",
        });
        using (var stored = await server.PutAsync("hung.bin", RandomBytes(1000)))
        {
            Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        }

        using var created = await server.Client.SendAsync(Uploads.ResumableRequests.WithLength(Uploads.ResumableRequests.Tus(HttpMethod.Post, "/tus"), 10));
        var upload = created.Headers.Location!.OriginalString;
        await using (await azurite.PauseAsync())
        {
            using var download = await server.Client.GetAsync("/files/hung.bin");
            using var put = await server.PutAsync("hung2.bin", RandomBytes(1000));
            using var head = await server.Client.SendAsync(Uploads.ResumableRequests.Tus(HttpMethod.Head, upload));

            foreach (var response in new[] { download, put, head })
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("5", response.Headers.RetryAfter?.ToString());
            }
        }

        Assert.True(server.Logs.Contains(2007) && server.Logs.Contains(4007), "logged as the store unavailable (2007 files, 4007 uploads)");
    }

    [Fact]
    public async Task AStoreThatFailsMidUpload_Is503_AndLeavesKestrelsBodyReaderSound()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, extraSettings: new Dictionary<string, string?>
        {
            ["Storage:AzureBlob:NetworkTimeout"] = "00:00:01",
            ["Storage:AzureBlob:MaxRetries"] = "0",
        });
        using var socket = SocketBuffers.NewClientSocket();
        await socket.ConnectAsync(IPAddress.Loopback, server.Host.BaseAddress.Port);
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes($"PUT /uploads/midway.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: {64 << 20}\r\n\r\n"));
        var chunk = RandomBytes(256 * 1024);
        await using (await azurite.PauseAsync())
        {
            var sending = Task.Run(async () =>
            {
                try
                {
                    for (var i = 0; i < 256; i++)
                    {
                        await socket.SendAsync(chunk);
                    }
                }
                catch (System.Net.Sockets.SocketException)
                {
                    // The server answered and closed: the rest is not wanted.
                }
            });
            var head = await RawHttp.ReadHeadAsync(socket).WaitAsync(Eventually.DefaultTimeout);
            Assert.True(head.StartsWith("HTTP/1.1 503", StringComparison.Ordinal), head + string.Join("\n", server.Logs.Entries.Where(e => e.EventId.Id >= 4000 || e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(e => $"{e.EventId.Id} {e.Level} {e.Message} {e.Exception}")));
            socket.Close();
            await sending;
        }

        await Eventually.AssertAsync(() => server.Logs.Contains(4007), "the store failure was logged (4007)");
        Assert.DoesNotContain(server.Logs.Entries, entry => entry.Category.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal)
            && entry.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.False((await server.Container.GetBlobClient("midway.bin").ExistsAsync()).Value);
    }

    [Fact]
    public async Task TheUploadersContentTypeIsNotServedBack_TheNameDecides()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        using var content = new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes("<script>alert(1)</script>"));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/html");
        using (var stored = await server.Client.PutAsync("/uploads/note.txt", content))
        {
            Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        }

        using var served = await server.Client.GetAsync("/files/note.txt");

        Assert.Equal("text/plain", served.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AStoreThatStalls_StopsTheClientAfterAFewBlocks_TheBodyIsNeverBufferedWhole()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        const long announced = 128L << 20;
        using var socket = SocketBuffers.NewClientSocket();
        await socket.ConnectAsync(IPAddress.Loopback, server.Host.BaseAddress.Port);
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes($"PUT /uploads/stalled.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: {announced}\r\n\r\n"));
        var chunk = RandomBytes(256 * 1024);
        long sent = 0;
        await using (await azurite.PauseAsync())
        {
            // Until the server stops taking bytes: a send that makes no progress for 2 s (a slow machine only stops it sooner).
            while (sent < announced)
            {
                using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await socket.SendAsync(chunk, System.Net.Sockets.SocketFlags.None, quiet.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                sent += chunk.Length;
            }
        }

        // What the server may hold: the blocks staging and filling (MaxConcurrency + 1), Kestrel's request buffer, and
        // the kernel's socket buffers both sides. Everything beyond that waited in the client.
        var bound = (BlobUploadServer.MaxConcurrency + 1L) * BlobUploadServer.BlockSize + (1L << 20) + SocketBuffers.ClientHolds + SocketBuffers.ReceiveCeiling;
        Assert.InRange(sent, 1, bound);
        Assert.True(sent < announced);
        socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        socket.Close();
        await Eventually.AssertAsync(() => server.Logs.Contains(4003), "the server saw the client go (upload aborted, 4003)");
        Assert.False((await server.Container.GetBlobClient("stalled.bin").ExistsAsync()).Value);
    }

    [Fact]
    public async Task RejectIsACreateOnlyCommit_AndIfMatchNamesTheVersionToReplace()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, overwrite: "Reject");
        var first = RandomBytes(100_000);
        using var created = await server.PutAsync("r.bin", first);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var again = await server.PutAsync("r.bin", RandomBytes(100_000));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        using var stale = await server.PutAsync("r.bin", RandomBytes(10), ifMatch: "\"0x0\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(first, (await server.Container.GetBlobClient("r.bin").DownloadContentAsync()).Value.Content.ToArray());

        var second = RandomBytes(50_000);
        using var replaced = await server.PutAsync("r.bin", second, ifMatch: created.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);
        Assert.Equal(second, (await server.Container.GetBlobClient("r.bin").DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task IfNoneMatchStarOnAnExistingBlob_Is412AsOnTheDisk_AndKeepsIt()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        var first = RandomBytes(1000);
        using (var created = await server.PutAsync("n.bin", first))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, "/uploads/n.bin") { Content = new ByteArrayContent(RandomBytes(10)) };
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

    private static async Task<HttpResponseMessage> SendAsync(BlobUploadServer server, string name, byte[] body, Action<HttpRequestMessage> conditions)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/uploads/" + name) { Content = new ByteArrayContent(body) };
        conditions(request);
        return await server.Client.SendAsync(request);
    }

    [Fact]
    public async Task TwoUploadsOfOneNameAtOnceEndWithOneWholeFile_NeverAMix()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        var a = RandomBytes(2 * 1024 * 1024);
        var b = RandomBytes(2 * 1024 * 1024);

        var responses = await Task.WhenAll(server.PutAsync("same.bin", a), server.PutAsync("same.bin", b));

        // Each is published whole, or refused with 409 when the other's commit dropped its staged blocks.
        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode || r.StatusCode == HttpStatusCode.Conflict, r.StatusCode.ToString()));
        Assert.Contains(responses, r => r.IsSuccessStatusCode);
        var stored = (await server.Container.GetBlobClient("same.bin").DownloadContentAsync()).Value.Content.ToArray();
        Assert.True(stored.AsSpan().SequenceEqual(a) || stored.AsSpan().SequenceEqual(b), "the blob mixes the two uploads");
        if (responses[1].StatusCode == HttpStatusCode.Conflict)
        {
            Assert.Equal(a, stored);
        }
        else if (responses[0].StatusCode == HttpStatusCode.Conflict)
        {
            Assert.Equal(b, stored);
        }
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task AStoreThatCannotBeReachedIs503WithRetryAfter_AndNothingIsStoredLocally()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, connectionString: azurite.UnreachableConnectionString());

        using var response = await server.PutAsync("down.bin", RandomBytes(1000));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter!.Delta);
        Assert.True(server.Logs.Contains(Diagnostics.StreamingEventIds.UploadStoreUnavailable.Id));
        Assert.Empty(Directory.EnumerateFiles(server.LocalRoot, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AFormsFilesAreStagedAndAllCommittedTogether()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        var a = RandomBytes(1024 * 1024 + 5);
        var b = "second file\n"u8.ToArray();

        using var response = await server.Client.PostAsync("/forms", Form(("a.bin", a), ("b.txt", b)));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(a, (await server.Container.GetBlobClient("a.bin").DownloadContentAsync()).Value.Content.ToArray());
        Assert.Equal(b, (await server.Container.GetBlobClient("b.txt").DownloadContentAsync()).Value.Content.ToArray());
        Assert.Contains("\"note\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(server.LocalRoot, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AFormThatFailsPublishesNoneOfItsFiles()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, overwrite: "Reject", maxFileSize: 512 * 1024);

        // The second file is over the limit: the first, already staged, is never committed.
        using var tooLarge = await server.Client.PostAsync("/forms", Form(("first.bin", RandomBytes(1000)), ("big.bin", RandomBytes(600 * 1024))));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.False((await server.Container.GetBlobClient("first.bin").ExistsAsync()).Value);

        // The second name exists and Reject refuses it: the first, committed just before, is deleted again.
        await server.Container.GetBlobClient("taken.bin").UploadAsync(BinaryData.FromString("already here"));
        using var conflict = await server.Client.PostAsync("/forms", Form(("new.bin", RandomBytes(1000)), ("taken.bin", RandomBytes(1000))));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.False((await server.Container.GetBlobClient("new.bin").ExistsAsync()).Value);
        Assert.Equal("already here", (await server.Container.GetBlobClient("taken.bin").DownloadContentAsync()).Value.Content.ToString());
    }

    private static MultipartFormDataContent Form(params (string Name, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent { { new StringContent("hello"), "note" } };
        foreach (var (name, bytes) in files)
        {
            form.Add(new ByteArrayContent(bytes), "file-" + name, name);
        }

        return form;
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
