using System.Net;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Storage;

/// <summary>A blob store that hangs or fails mid-upload: 503 with Retry-After once the SDK's tries are spent, nothing
/// published, and Kestrel's request body left sound.</summary>
[Collection(AzuriteServers.Name)]
public sealed class BlobStoreFaultTests(AzuriteServer azurite)
{
    [Fact]
    public async Task AStoreThatHangs_IsA503WithRetryAfter_AfterItsNetworkTimeouts_ForDownloadsUploadsAndResumableHeads()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, extraSettings: new Dictionary<string, string?>
        {
            ["Storage:AzureBlob:NetworkTimeout"] = "00:00:01",
            ["Storage:AzureBlob:MaxRetries"] = "1",
        });
        using (var stored = await server.PutAsync("hung.bin", BlobUploadServer.RandomBytes(1000)))
        {
            Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        }

        using var created = await server.Client.SendAsync(Uploads.ResumableRequests.WithLength(Uploads.ResumableRequests.Tus(HttpMethod.Post, "/tus"), 10));
        var upload = created.Headers.Location!.OriginalString;
        await using (await azurite.PauseAsync())
        {
            using var download = await server.Client.GetAsync("/files/hung.bin");
            using var put = await server.PutAsync("hung2.bin", BlobUploadServer.RandomBytes(1000));
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
        var chunk = BlobUploadServer.RandomBytes(256 * 1024);
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
                catch (Exception error) when (error is System.Net.Sockets.SocketException or ObjectDisposedException)
                {
                    // The server answered and closed, or the test closed the socket once it had the answer.
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

    // A rotated key or an expired SAS: the service answers 403, which is neither the client's fault nor an outage.
    [Fact]
    public async Task AStoreThatRefusesTheKey_IsA500ProblemDetailsLoggedAsAFailure_OnEveryUploadEndpoint()
    {
        const string wrongKey = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk=";
        var connection = System.Text.RegularExpressions.Regex.Replace(azurite.ConnectionString, "AccountKey=[^;]+", "AccountKey=" + wrongKey);
        await using var server = await BlobUploadServer.StartAsync(azurite, connectionString: connection);

        using var put = await server.PutAsync("a.bin", new byte[100]);
        using var resumable = await server.Client.SendAsync(Uploads.ResumableRequests.CreateWithLength("r.bin", new byte[10], 20));
        using var tus = await server.Client.SendAsync(Uploads.ResumableRequests.WithLength(Uploads.ResumableRequests.Tus(HttpMethod.Post, "/tus"), 10));

        foreach (var response in new[] { put, resumable, tus })
        {
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(3, server.Logs.Entries.Count(entry => entry.EventId.Id == 4005));
        Assert.DoesNotContain(server.Logs.Entries, entry => (entry.Message + entry.Exception).Contains(wrongKey[..16], StringComparison.Ordinal));
    }

    [Fact]
    public async Task AContainerDeletedWhileInUse_Is503WithRetryAfter_ThenCreatedAgain()
    {
        var container = new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("gone-" + Guid.NewGuid().ToString("N"));
        await using var server = await BlobUploadServer.StartAsync(azurite, sharedContainer: container,
            extraSettings: new Dictionary<string, string?> { ["Storage:AzureBlob:CreateContainer"] = "true" });
        using (var first = await server.PutAsync("a.txt", "hello"u8.ToArray()))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        await container.DeleteAsync();
        using var put = await server.PutAsync("b.txt", "hello"u8.ToArray());
        using var resumable = await server.Client.SendAsync(Uploads.ResumableRequests.CreateWithLength("r.bin", new byte[10], 20));
        foreach (var response in new[] { put, resumable })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode); // not a 500, not "the upload changed" (412)
            Assert.Equal("5", response.Headers.RetryAfter?.ToString());
        }

        try
        {
            await container.DeleteIfExistsAsync();
        }
        finally
        {
            // Azurite may still be removing the container it was told to delete; polled, as a test does.
            await Eventually.AssertAsync(async () => (await server.PutAsync("c.txt", "again"u8.ToArray())).StatusCode == HttpStatusCode.Created,
                "the container was created again", TimeSpan.FromSeconds(60));
        }
    }
}
