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
}
