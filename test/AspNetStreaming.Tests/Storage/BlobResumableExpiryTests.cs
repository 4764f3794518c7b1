using System.Net;
using System.Net.Sockets;
using System.Text;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Uploads;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using static AspNetStreaming.Tests.Uploads.ResumableRequests;

namespace AspNetStreaming.Tests.Storage;

/// <summary>The expiry sweep of resumable uploads in the blob container runs on every instance, and an instance knows
/// only its own appends: an append streaming on another instance stages blocks, which change neither the upload's
/// version nor its time. The append's activity mark is what every sweep sees.</summary>
[Collection(AzuriteServers.Name)]
public sealed class BlobResumableExpiryTests(AzuriteServer azurite)
{
    private static readonly TimeSpan Expiry = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task AnAppendStreamingLongerThanTheExpiryOnOneInstance_IsLeftByAnotherInstancesSweep_AndCompletes()
    {
        var settings = new Dictionary<string, string?> { ["Uploads:Resumable:Expiry"] = Expiry.ToString() };
        await using var first = await BlobUploadServer.StartAsync(azurite, extraSettings: settings);
        await using var second = await BlobUploadServer.StartAsync(azurite, sharedContainer: first.Container, extraSettings: settings);
        var data = UploadServer.RandomBytes(2_000_000, seed: 8);
        using var created = await first.Client.SendAsync(CreateWithLength("live.bin", data[..100_000], data.Length));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        var upload = first.Container.GetBlockBlobClient(".resumable/" + location[(location.LastIndexOf('/') + 1)..]);

        // A PATCH on the first instance that has sent 900 KB (blocks staged) and holds the rest back.
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await slow.ConnectAsync(IPAddress.Loopback, first.Host.BaseAddress.Port);
        await slow.SendAsync(Encoding.ASCII.GetBytes($"PATCH {location} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1900000\r\n"
            + "Content-Type: application/partial-upload\r\nUpload-Offset: 100000\r\nUpload-Complete: ?1\r\n\r\n"));
        await slow.SendAsync(data.AsMemory(100_000, 900_000));
        await Eventually.AssertAsync(async () => (await upload.GetBlockListAsync(BlockListTypes.Uncommitted)).Value.UncommittedBlocks.Any(),
            "the append staged blocks");

        // The upload itself has not changed for longer than the expiry: by its own time alone it is abandoned.
        await Eventually.AssertAsync(async () => DateTimeOffset.UtcNow - (await upload.GetPropertiesAsync()).Value.LastModified > Expiry * 2,
            "the upload aged past the expiry");
        Assert.Equal(0, await second.Resumable.RemoveExpiredAsync(DateTime.UtcNow, Expiry, CancellationToken.None));

        await slow.SendAsync(data.AsMemory(1_000_000));
        Assert.StartsWith("HTTP/1.1 201", await RawHttp.ReadHeadAsync(slow), StringComparison.Ordinal);
        Assert.Equal(data, await second.Client.GetByteArrayAsync("/files/live.bin"));

        // Once no append marks it, the completed upload expires like any other, its mark with it.
        var later = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        Assert.Equal(1, await second.Resumable.RemoveExpiredAsync(later, Expiry, CancellationToken.None));
        Assert.Equal(["live.bin"], await first.BlobNamesAsync());
    }
}
