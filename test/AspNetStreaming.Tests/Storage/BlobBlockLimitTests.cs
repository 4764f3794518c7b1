using System.Net;
using System.Net.Http.Json;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Uploads;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.Mvc;
using static AspNetStreaming.Tests.Uploads.ResumableRequests;

namespace AspNetStreaming.Tests.Storage;

/// <summary>A block blob holds at most 50,000 committed blocks. The servers here are given five, so that the limit is
/// reached in a few requests: a body larger than its blocks hold is refused as it streams (not at the commit, after
/// all of it), and a resumable upload of many small appends is compacted in the service before it reaches the limit.</summary>
[Collection(AzuriteServers.Name)]
public sealed class BlobBlockLimitTests(AzuriteServer azurite)
{
    private const int MaxBlocks = 5;

    [Fact]
    public async Task ABodyLargerThanTheBlocksHold_Is413_AndNothingIsStored()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, maxBlocks: MaxBlocks);
        const int holds = MaxBlocks * BlobUploadServer.BlockSize;

        using var refused = await server.PutAsync("big.bin", UploadServer.RandomBytes(holds + 1));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains($"{holds} bytes", problem!.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("big.bin", await server.BlobNamesAsync());

        var exact = UploadServer.RandomBytes(holds);
        using var stored = await server.PutAsync("big.bin", exact);
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        Assert.Equal(exact, (await server.Container.GetBlobClient("big.bin").DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task AFormFileLargerThanTheBlocksHold_Is413NamingWhatHoldsIt_AndNothingIsStored()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, maxBlocks: MaxBlocks);
        const int holds = MaxBlocks * BlobUploadServer.BlockSize;
        using var form = new MultipartFormDataContent { { new ByteArrayContent(UploadServer.RandomBytes(holds + 1)), "file", "big.bin" } };

        using var refused = await server.Client.PostAsync("/forms", form);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains($"limit of {holds} bytes", problem!.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("big.bin", await server.BlobNamesAsync());
    }

    [Fact]
    public async Task ManySmallAppends_AreCompactedInTheService_SoTheUploadNeverPassesTheBlockLimit_AndIsPublishedWhole()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, maxBlocks: MaxBlocks);
        const int chunk = 100_000;
        var data = UploadServer.RandomBytes(3 * MaxBlocks * chunk);
        using var create = CreateWithLength("many.bin", data[..chunk], data.Length);
        create.Headers.Add("Repr-Digest", UploadServer.Sha256Field(data));
        using var created = await server.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        var upload = server.Container.GetBlockBlobClient(".resumable/" + location[(location.LastIndexOf('/') + 1)..]);

        var most = 0;
        for (var offset = chunk; offset < data.Length; offset += chunk)
        {
            var last = offset + chunk == data.Length;
            using var appended = await server.Client.SendAsync(Patch(location, offset, complete: last, data[offset..(offset + chunk)]));
            Assert.Equal(last ? HttpStatusCode.Created : HttpStatusCode.NoContent, appended.StatusCode);
            if (!last)
            {
                var blocks = (await upload.GetBlockListAsync(BlockListTypes.Committed)).Value.CommittedBlocks.ToList();
                Assert.Equal(offset + chunk, blocks.Sum(block => block.SizeLong));
                most = Math.Max(most, blocks.Count);
            }
        }

        Assert.Equal(MaxBlocks, most); // it did reach the limit, and never passed it
        Assert.Equal(data, (await server.Container.GetBlobClient("many.bin").DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task AnAppendLargerThanTheBlocksLeft_Is413WithItsOffset_NotPastTheLength_AndTheUploadResumes()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite, maxBlocks: MaxBlocks);
        var data = UploadServer.RandomBytes(4 * MaxBlocks * BlobUploadServer.BlockSize, seed: 3);
        using var created = await server.Client.SendAsync(CreateWithLength("cap.bin", [], data.Length));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;

        // Twice what five blocks hold, well within Upload-Length: the store's limit, not the client's fault.
        using var refused = await server.Client.SendAsync(Patch(location, 0, complete: false, data[..(2 * MaxBlocks * BlobUploadServer.BlockSize)]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains("the blob can take", problem!.Detail, StringComparison.Ordinal);
        var offset = long.Parse(Header(refused, "Upload-Offset"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(offset, 1, MaxBlocks * BlobUploadServer.BlockSize);

        // What arrived is kept; appends of a block each take the rest (compacted as they go) and the file is whole.
        while (offset < data.Length)
        {
            var end = (int)Math.Min(data.Length, offset + BlobUploadServer.BlockSize);
            using var appended = await server.Client.SendAsync(Patch(location, offset, complete: end == data.Length, data[(int)offset..end]));
            Assert.True(appended.IsSuccessStatusCode, $"append at {offset}: {(int)appended.StatusCode}");
            offset = end;
        }

        Assert.Equal(data, (await server.Container.GetBlobClient("cap.bin").DownloadContentAsync()).Value.Content.ToArray());
    }
}
