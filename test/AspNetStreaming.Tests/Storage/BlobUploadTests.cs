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
        var content = BlobUploadServer.RandomBytes(3 * 1024 * 1024 + 17);

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
        var content = BlobUploadServer.RandomBytes(1024 * 1024);

        using (var mismatch = await server.PutAsync("digest.bin", content, sha256: new byte[32]))
        {
            Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        }

        using (var tooLarge = await server.PutAsync("large.bin", BlobUploadServer.RandomBytes(3 * 1024 * 1024)))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        }

        // A client that sends half its announced length and leaves, once the server has staged a block of it.
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, server.Host.BaseAddress.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"PUT /uploads/abort.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {content.Length}\r\n\r\n"));
            await stream.WriteAsync(content.AsMemory(0, content.Length / 2));
            var blob = server.Container.GetBlockBlobClient("abort.bin");
            await Eventually.AssertAsync(() => StagedBlocks(blob) > 0, "the server staged a block of the body");
        }

        Assert.True(await Eventually.TrueAsync(() => server.Logs.Contains(Diagnostics.StreamingEventIds.UploadAborted.Id)));
        var aborted = server.Logs.Entries.Single(entry => entry.EventId.Id == Diagnostics.StreamingEventIds.UploadAborted.Id);
        Assert.DoesNotContain("after 0 bytes", aborted.Message, StringComparison.Ordinal); // how far the body got, as on the disk
        foreach (var name in new[] { "digest.bin", "large.bin", "abort.bin" })
        {
            Assert.False((await server.Container.GetBlobClient(name).ExistsAsync()).Value, $"{name} was published");
        }
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
        var chunk = BlobUploadServer.RandomBytes(256 * 1024);
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
    public async Task TwoUploadsOfOneNameAtOnceEndWithOneWholeFile_NeverAMix()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        var a = BlobUploadServer.RandomBytes(2 * 1024 * 1024);
        var b = BlobUploadServer.RandomBytes(2 * 1024 * 1024);

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

        using var response = await server.PutAsync("down.bin", BlobUploadServer.RandomBytes(1000));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter!.Delta);
        Assert.True(server.Logs.Contains(Diagnostics.StreamingEventIds.UploadStoreUnavailable.Id));
        Assert.Empty(Directory.EnumerateFiles(server.LocalRoot, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AFormsFilesAreStagedAndAllCommittedTogether()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        var a = BlobUploadServer.RandomBytes(1024 * 1024 + 5);
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
        using var tooLarge = await server.Client.PostAsync("/forms", Form(("first.bin", BlobUploadServer.RandomBytes(1000)), ("big.bin", BlobUploadServer.RandomBytes(600 * 1024))));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.False((await server.Container.GetBlobClient("first.bin").ExistsAsync()).Value);

        // The second name exists and Reject refuses it: the first, committed just before, is deleted again.
        await server.Container.GetBlobClient("taken.bin").UploadAsync(BinaryData.FromString("already here"));
        using var conflict = await server.Client.PostAsync("/forms", Form(("new.bin", BlobUploadServer.RandomBytes(1000)), ("taken.bin", BlobUploadServer.RandomBytes(1000))));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.False((await server.Container.GetBlobClient("new.bin").ExistsAsync()).Value);
        Assert.Equal("already here", (await server.Container.GetBlobClient("taken.bin").DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task AFormCutOffMidFile_CommitsNothing_AndLogsHowFarItsBodyGot()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        var content = BlobUploadServer.RandomBytes(1024 * 1024);
        var head = System.Text.Encoding.ASCII.GetBytes(
            "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"cut.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, server.Host.BaseAddress.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
                $"POST /forms HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: {head.Length + content.Length + 8}\r\n\r\n"));
            await stream.WriteAsync(head);
            await stream.WriteAsync(content.AsMemory(0, content.Length / 2));
            var blob = server.Container.GetBlockBlobClient("cut.bin");
            await Eventually.AssertAsync(() => StagedBlocks(blob) > 0, "the server staged a block of the file");
        }

        await Eventually.AssertAsync(() => server.Logs.Contains(Diagnostics.StreamingEventIds.UploadAborted.Id), "the abort was logged (4003)");
        var aborted = server.Logs.Entries.Single(entry => entry.EventId.Id == Diagnostics.StreamingEventIds.UploadAborted.Id);
        var bytes = long.Parse(System.Text.RegularExpressions.Regex.Match(aborted.Message, @"after (\d+) bytes").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(bytes, BlobUploadServer.BlockSize, content.Length / 2); // at least the staged block: not 0
        Assert.False((await server.Container.GetBlobClient("cut.bin").ExistsAsync()).Value);
    }

    private static int StagedBlocks(BlockBlobClient blob)
    {
        try
        {
            return blob.GetBlockList(BlockListTypes.Uncommitted).Value.UncommittedBlocks.Count();
        }
        catch (Azure.RequestFailedException error) when (error.Status == 404)
        {
            return 0;
        }
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
}
