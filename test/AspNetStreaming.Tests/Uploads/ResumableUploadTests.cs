using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AspNetStreaming.Tests.Infrastructure;
using static AspNetStreaming.Tests.Uploads.ResumableRequests;

namespace AspNetStreaming.Tests.Uploads;

public sealed class ResumableUploadTests
{
    [Theory]
    [InlineData(100_000)]
    [InlineData(1)]
    public async Task AnAppendSmallerThanOneWrite_ThatEndsEarly_KeepsEveryByteThatCame(int sent)
    {
        // Fewer bytes than the coalesced write size, then the client closes (FIN: every byte it sent reaches the
        // server before the end). They waited unwritten for more; the early end must not lose them.
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var location = await CreateAsync(server, "small.bin", [1]);
        var data = UploadServer.RandomBytes(sent, seed: 8);
        var before = server.BodyBytesSeen; // the creation's
        using (var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp))
        {
            await socket.ConnectAsync(server.Host.BaseAddress.Host, server.Host.BaseAddress.Port);
            await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes($"PATCH {location} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3000000\r\n"
                + "Content-Type: application/partial-upload\r\nUpload-Offset: 1\r\nUpload-Complete: ?1\r\n\r\n"));
            await socket.SendAsync(data);
            await Eventually.AssertAsync(() => server.Appending(location), "the append started");
            // The FIN only once the app has seen every byte: one arriving with the FIN is never handed to the app
            // (Kestrel's read throws "unexpected end" instead), which would be Kestrel's loss, not the library's.
            await Eventually.AssertAsync(() => server.BodyBytesSeen >= before + sent, "the app saw the bytes");
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);

            // Read what the server sends (its 104, its answer) until it closes: a socket closed with unread data sends an
            // RST, which can drop the bytes still queued for the server, and the test would lose them, not the server.
            using var patience = new CancellationTokenSource(Eventually.DefaultTimeout);
            var sink = new byte[4096];
            try
            {
                while (await socket.ReceiveAsync(sink, System.Net.Sockets.SocketFlags.None, patience.Token) > 0)
                {
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
                // The server's own reset, once it has read the body to its early end.
            }
        }

        await server.WaitUntilLoggedAsync(() => server.Host.Logs.Contains(4003), "the early end was logged");
        await Eventually.AssertAsync(() => !server.Appending(location), "the append ended");
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        Assert.Equal((1 + sent).ToString(CultureInfo.InvariantCulture), Header(head, "Upload-Offset"));
        Assert.Equal(1 + sent, server.BytesOnDisk(location));
    }

    [Fact]
    public async Task CreateInterruptHeadResumeCompleteWithDigest()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var data = UploadServer.RandomBytes(4_000_000);

        // Create with the first 1 MB, not complete, announcing the length and the whole file's digest.
        using var create = new HttpRequestMessage(HttpMethod.Post, "r/file.bin") { Content = new ByteArrayContent(data, 0, 1_000_000) };
        create.Headers.Add("Upload-Complete", "?0");
        create.Headers.Add("Upload-Length", data.Length.ToString(CultureInfo.InvariantCulture));
        create.Headers.Add("Upload-Draft-Interop-Version", "6");
        create.Headers.Add("Repr-Digest", UploadServer.Sha256Field(data));
        using var created = await server.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        Assert.StartsWith("/r/", location, StringComparison.Ordinal);
        Assert.Equal("1000000", Header(created, "Upload-Offset"));
        Assert.Equal("?0", Header(created, "Upload-Complete"));
        Assert.Contains("max-size=", Header(created, "Upload-Limit"), StringComparison.Ordinal);
        Assert.Empty(server.Files());

        // An append that breaks off after 1.5 MB of its 3 MB.
        await server.AbortAfterAsync("PATCH", location, 3_000_000, data.AsSpan(1_000_000).ToArray(), 1_500_000,
            () => server.BytesOnDisk(location) > 1_000_000,
            "Content-Type: application/partial-upload\r\nUpload-Offset: 1000000\r\nUpload-Complete: ?1\r\n");
        await server.WaitUntilLoggedAsync(() => server.Host.Logs.Contains(4021) && server.Host.Logs.Entries.Count(e => e.EventId.Id == 4021) >= 2, "the interrupted append was logged");

        // HEAD gives the offset: every byte that reached the disk is kept.
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        Assert.Equal(HttpStatusCode.NoContent, head.StatusCode);
        Assert.Equal("no-store", head.Headers.CacheControl?.ToString());
        Assert.Equal("?0", Header(head, "Upload-Complete"));
        Assert.Equal("4000000", Header(head, "Upload-Length"));
        var offset = long.Parse(Header(head, "Upload-Offset"), CultureInfo.InvariantCulture);
        Assert.InRange(offset, 1_000_001, 2_500_000);
        Assert.Empty(server.Files());

        // Resume from there and complete.
        using var resume = Patch(location, offset, complete: true, data.AsMemory((int)offset).ToArray());
        using var completed = await server.Client.SendAsync(resume);
        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        Assert.Equal("?1", Header(completed, "Upload-Complete"));
        Assert.Equal(UploadServer.Sha256Field(data), Header(completed, "Repr-Digest"));
        Assert.Equal(data, await File.ReadAllBytesAsync(temp["file.bin"]));
        Assert.Equal(["file.bin"], server.Files());

        // After completion, HEAD still answers (so a client that lost the last response learns it is done).
        using var after = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        Assert.Equal("?1", Header(after, "Upload-Complete"));
        using var again = await server.Client.SendAsync(Patch(location, data.Length, complete: true, [1]));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
    }

    [Fact]
    public async Task WrongOffsetIs409WithTheRightOffset()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var location = await CreateAsync(server, "w.bin", [1, 2, 3]);

        using var response = await server.Client.SendAsync(Patch(location, 1, complete: false, [9]));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("3", Header(response, "Upload-Offset"));
        var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.EndsWith("#mismatching-upload-offset", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, problem.GetProperty("expected-offset").GetInt64()); // the problem type's own members
        Assert.Equal(1, problem.GetProperty("provided-offset").GetInt64());
    }

    [Fact]
    public async Task AppendsNeedThePartialUploadMediaType()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var location = await CreateAsync(server, "t.bin", [1]);
        using var request = Patch(location, 1, complete: true, [2]);
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task ADigestMismatchAtCompletionStoresNothing()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var create = new HttpRequestMessage(HttpMethod.Post, "r/bad.bin") { Content = new ByteArrayContent([1, 2]) };
        create.Headers.Add("Upload-Complete", "?0");
        create.Headers.Add("Repr-Digest", UploadServer.Sha256Field([1, 2, 3, 4]));
        using var created = await server.Client.SendAsync(create);
        var location = created.Headers.Location!.OriginalString;

        using var response = await server.Client.SendAsync(Patch(location, 2, complete: true, [3, 5]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(server.Files());
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task TheWholeDigestOverManyAppends_HoldsAcrossADiscardedAppend()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var data = UploadServer.RandomBytes(3_000_000, seed: 9);
        using var create = new HttpRequestMessage(HttpMethod.Post, "r/many.bin") { Content = new ByteArrayContent(data[..1_000_000]) };
        create.Headers.Add("Upload-Complete", "?0");
        create.Headers.Add("Repr-Digest", UploadServer.Sha256Field(data));
        using var created = await server.Client.SendAsync(create);
        var location = created.Headers.Location!.OriginalString;

        // An append whose own Content-Digest is wrong is dropped whole; the upload's digest must not count it.
        using var wrong = Patch(location, 1_000_000, complete: false, data[1_000_000..2_000_000]);
        wrong.Headers.Add("Content-Digest", UploadServer.Sha256Field(data[..10]));
        using (var refused = await server.Client.SendAsync(wrong))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        using (var second = await server.Client.SendAsync(Patch(location, 1_000_000, complete: false, data[1_000_000..2_000_000])))
        {
            Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
        }

        using var last = await server.Client.SendAsync(Patch(location, 2_000_000, complete: true, data[2_000_000..]));
        Assert.Equal(HttpStatusCode.Created, last.StatusCode);
        Assert.Equal(UploadServer.Sha256Field(data), Header(last, "Repr-Digest"));
        Assert.Equal(data, await File.ReadAllBytesAsync(temp["many.bin"]));
    }

    [Fact]
    public async Task ACompleteCreationPublishesAtOnce()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var data = UploadServer.RandomBytes(100_000);
        using var create = new HttpRequestMessage(HttpMethod.Post, "r/once.bin") { Content = new ByteArrayContent(data) };
        create.Headers.Add("Upload-Complete", "?1");

        using var response = await server.Client.SendAsync(create);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(data, await File.ReadAllBytesAsync(temp["once.bin"]));
    }

    [Fact]
    public async Task OptionsAnswersTheLimits_AndGetRetrievesTheOffsetLikeHead()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        foreach (var path in new[] { "r", "r/some.bin" })
        {
            using var options = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Options, path));
            Assert.Equal(HttpStatusCode.NoContent, options.StatusCode);
            Assert.Matches("^max-size=[0-9]+, expires=86400$", Header(options, "Upload-Limit"));
        }

        var location = await CreateAsync(server, "g.bin", [1, 2, 3]);
        using var get = await server.Client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, get.StatusCode);
        Assert.Equal("3", Header(get, "Upload-Offset"));
        Assert.Equal("?0", Header(get, "Upload-Complete"));
    }

    [Fact]
    public async Task AnUploadIdlePastItsExpiryIsGone_BeforeTheSweepRemovesIt()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["Resumable:Expiry"] = "00:00:02", ["Resumable:CleanupInterval"] = "01:00:00" });
        var location = await CreateAsync(server, "idle.bin", [1, 2, 3]);

        await Eventually.AssertAsync(() =>
        {
            using var head = server.Client.Send(new HttpRequestMessage(HttpMethod.Head, location));
            return head.StatusCode == HttpStatusCode.NotFound;
        }, "the idle upload expired");
        using var append = await server.Client.SendAsync(Patch(location, 3, complete: true, [4]));
        Assert.Equal(HttpStatusCode.NotFound, append.StatusCode);
        Assert.Single(Directory.GetFiles(Path.Join(temp.Path, ".resumable"), "*.part")); // not swept yet: only refused
    }

    [Fact]
    public async Task DeleteCancelsTheUpload()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var location = await CreateAsync(server, "d.bin", [1, 2, 3]);

        using var deleted = await server.Client.DeleteAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(AspNetStreaming.Uploads.ResumableUploadHandler.InteropVersion, Header(deleted, "Upload-Draft-Interop-Version"));

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        using var patch = await server.Client.SendAsync(Patch(location, 3, complete: true, [4]));
        Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        Assert.Empty(Directory.GetFiles(temp.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AbandonedUploadsExpire()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new()
        {
            ["Resumable:Expiry"] = "00:00:01",
            ["Resumable:CleanupInterval"] = "00:00:00.200",
        });
        var location = await CreateAsync(server, "old.bin", [1, 2, 3]);

        await Eventually.AssertAsync(() => server.Host.Logs.Contains(4023), "the upload expired (4023)");

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Empty(Directory.GetFiles(temp.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ConcurrentAppendsAreRefused()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var location = await CreateAsync(server, "c.bin", [1]);

        // A slow append holds the upload: headers and a few bytes, then nothing.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(server.Host.BaseAddress.Host, server.Host.BaseAddress.Port);
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(
            $"PATCH {location} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nContent-Type: application/partial-upload\r\nUpload-Offset: 1\r\nUpload-Complete: ?1\r\n\r\nabc"));
        await Eventually.AssertAsync(() => server.Appending(location), "the slow append did not start");

        using var second = await server.Client.SendAsync(Patch(location, 1, complete: true, [2]));

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        socket.Close();
    }

    [Fact]
    public async Task IfNoneMatchStarAtCreationStillHoldsWhenTheUploadCompletes()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var create = new HttpRequestMessage(HttpMethod.Post, "r/late.bin") { Content = new ByteArrayContent([1]) };
        create.Headers.Add("Upload-Complete", "?0");
        create.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        using var created = await server.Client.SendAsync(create);
        var location = created.Headers.Location!.OriginalString;
        await File.WriteAllBytesAsync(temp["late.bin"], [7]); // someone else stores the name meanwhile

        using var completed = await server.Client.SendAsync(Patch(location, 1, complete: true, [2]));

        Assert.Equal(HttpStatusCode.PreconditionFailed, completed.StatusCode);
        Assert.Equal([7], await File.ReadAllBytesAsync(temp["late.bin"]));
    }

    [Fact]
    public async Task DeleteDuringAnAppendCancelsItAndRemovesEverything()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var location = await CreateAsync(server, "gone.bin", [1]);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(server.Host.BaseAddress.Host, server.Host.BaseAddress.Port);
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(
            $"PATCH {location} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nContent-Type: application/partial-upload\r\nUpload-Offset: 1\r\nUpload-Complete: ?1\r\n\r\nabc"));
        await Eventually.AssertAsync(() => server.Appending(location), "the slow append did not start");

        using var deleted = await server.Client.DeleteAsync(location);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var buffer = new byte[4096];
        var read = await socket.ReceiveAsync(buffer).WaitAsync(Eventually.DefaultTimeout);
        Assert.StartsWith("HTTP/1.1 404", System.Text.Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(temp.Path, "*", SearchOption.AllDirectories));

        // Kestrel then drains the rest of the body; the append's cancelled read must have left its body reader able to.
        socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        try
        {
            while (await socket.ReceiveAsync(buffer).WaitAsync(Eventually.DefaultTimeout) > 0)
            {
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
            // A reset ends the connection as well as a close.
        }

        Assert.DoesNotContain(server.Host.Logs.Entries, entry => entry.Exception is InvalidOperationException);
    }
}
