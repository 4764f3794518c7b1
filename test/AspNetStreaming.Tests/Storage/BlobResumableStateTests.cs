using System.Net;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Uploads;
using static AspNetStreaming.Tests.Uploads.ResumableRequests;

namespace AspNetStreaming.Tests.Storage;

/// <summary>A resumable upload's state holds what the client sent (a tus <c>Upload-Metadata</c>, a concatenation's
/// part ids, an <c>If-Match</c> list), and the service keeps at most 8 KiB of metadata per blob: a state larger than
/// that lives in a blob of its own beside the upload, replaced with each change and removed with the upload. Before,
/// each of these uploads was a 500.</summary>
[Collection(AzuriteServers.Name)]
public sealed class BlobResumableStateTests(AzuriteServer azurite)
{
    // Base64 of 6,000 bytes: 8,000 characters of metadata value, and more once the state's JSON escapes its '+'.
    private static readonly string LongValue = Convert.ToBase64String(Enumerable.Repeat((byte)0xFB, 6000).ToArray());

    [Fact]
    public async Task ATusUpload_WithALongUploadMetadata_CompletesAndAnswersItsMetadata_AndLeavesNoStateBehind()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        var metadata = $"filename {Convert.ToBase64String("long.txt"u8)},note {LongValue}";
        using var create = Tus(HttpMethod.Post, "/tus").WithLength(10);
        create.Headers.Add("Upload-Metadata", metadata);
        using var created = await server.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        var id = location[(location.LastIndexOf('/') + 1)..];

        using var first = await server.Client.SendAsync(TusPatch(location, 0, [1, 2, 3, 4]));
        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        using var head = await server.Client.SendAsync(Tus(HttpMethod.Head, location));
        Assert.Equal("4", Header(head, "Upload-Offset"));
        Assert.Equal(metadata, Header(head, "Upload-Metadata"));
        using var last = await server.Client.SendAsync(TusPatch(location, 4, [5, 6, 7, 8, 9, 10]));
        Assert.Equal(HttpStatusCode.NoContent, last.StatusCode);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, (await server.Container.GetBlobClient("long.txt").DownloadContentAsync()).Value.Content.ToArray());

        // One state blob, the completed state's: each change's predecessor was deleted after its commit.
        Assert.Single(await StateBlobsAsync(server, id));
        using var terminated = await server.Client.SendAsync(Tus(HttpMethod.Delete, location));
        Assert.Equal(HttpStatusCode.NoContent, terminated.StatusCode);
        Assert.DoesNotContain(await server.BlobNamesAsync(), name => name.StartsWith(".resumable/" + id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ATusConcatenation_OfFourHundredParts_IsJoined()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        var parts = new List<string>();
        for (var i = 0; i < 400; i++)
        {
            using var create = Tus(HttpMethod.Post, "/tus").WithLength(i < 3 ? 2 : 0);
            create.Headers.Add("Upload-Concat", "partial");
            using var created = await server.Client.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            parts.Add(created.Headers.Location!.OriginalString);
            if (i < 3)
            {
                using var patched = await server.Client.SendAsync(TusPatch(parts[^1], 0, [(byte)i, (byte)(i + 10)]));
                Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
            }
        }

        using var final = Tus(HttpMethod.Post, "/tus");
        final.Headers.Add("Upload-Concat", "final;" + string.Join(' ', parts));
        final.Headers.Add("Upload-Metadata", $"filename {Convert.ToBase64String("joined.bin"u8)}");
        using var joined = await server.Client.SendAsync(final);
        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
        Assert.Equal(new byte[] { 0, 10, 1, 11, 2, 12 }, (await server.Container.GetBlobClient("joined.bin").DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task ADraftUpload_WithALongIfMatchList_IsCreated_AndItsPublishIsRefusedByThatCondition()
    {
        await using var server = await BlobUploadServer.StartAsync(azurite);
        using var create = CreateWithLength("matched.bin", [1, 2, 3], 6);
        create.Headers.TryAddWithoutValidation("If-Match", string.Join(", ", Enumerable.Range(0, 300).Select(i => $"\"etag-{i:D30}\"")));
        using var created = await server.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var completed = await server.Client.SendAsync(Patch(created.Headers.Location!.OriginalString, 3, complete: true, [4, 5, 6]));
        Assert.Equal(HttpStatusCode.PreconditionFailed, completed.StatusCode); // no such file to match
        Assert.DoesNotContain("matched.bin", await server.BlobNamesAsync());
    }

    private static async Task<List<string>> StateBlobsAsync(BlobUploadServer server, string id)
        => (await server.BlobNamesAsync()).Where(name => name.StartsWith($".resumable/{id}.state-", StringComparison.Ordinal)).ToList();
}
