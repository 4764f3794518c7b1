using System.Globalization;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Storage;
using AspNetStreaming.Tests.Uploads;

namespace AspNetStreaming.Tests.Clients;

/// <summary>tus-js-client 4.3.1 in its default protocol, tus-v1, against <c>MapTusUploads</c> on the local disk and on
/// the blob store: chunked uploads from each Node source, an upload aborted halfway and resumed from its URL by a
/// second run, <c>parallelUploads: 3</c> (partial uploads and a final concatenation) and checksummed chunks. The
/// asserts are on the bytes the server published.</summary>
[Collection(AzuriteServers.Name)]
public sealed class TusJsClientTusV1Tests(AzuriteServer azurite)
{
    private const int ChunkSize = 1 << 20;
    private const int Size = (3 << 20) + 4321;

    public static TheoryData<StoreKind, string> Sources => new()
    {
        { StoreKind.Local, "stream" }, { StoreKind.Local, "file" }, { StoreKind.Local, "buffer" }, { StoreKind.AzureBlob, "stream" },
    };

    public static TheoryData<StoreKind> Stores => [StoreKind.Local, StoreKind.AzureBlob];

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task AChunkedUpload_IsPublishedByteIdentical_UnderItsMetadataFilename(StoreKind kind, string source)
    {
        var (file, server) = await StartAsync(kind, seed: 31);
        await using (server)
        {
            var outcome = await TusScript.UploadAsync([.. Arguments(server, file, source), "--filename", "chunked.bin"]);

            Assert.True(outcome.Event == "success", $"the client failed: {outcome}");
            Assert.Equal(Size, outcome.Accepted);
            Assert.Equal(4, outcome.Chunks);
            await AssertPublishedAsync(server, "chunked.bin", file);
        }
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task AnUploadAbortedHalfway_IsResumedFromItsUrlByASecondRun(StoreKind kind)
    {
        var (file, server) = await StartAsync(kind, seed: 32);
        await using (server)
        {
            var first = await TusScript.UploadAsync([.. Arguments(server, file, "file"), "--filename", "resumed.bin", "--abort-after", $"{Size / 2}"]);
            Assert.True(first.Event == "aborted", $"the run did not abort as asked: {first}");
            Assert.Empty(await server.PublishedNamesAsync());
            using (var head = new HttpRequestMessage(HttpMethod.Head, first.Url))
            {
                head.Headers.Add("Tus-Resumable", "1.0.0");
                using var offset = await server.Client.SendAsync(head);
                Assert.Equal(first.Accepted.ToString(CultureInfo.InvariantCulture), offset.Headers.GetValues("Upload-Offset").Single());
            }

            var second = await TusScript.UploadAsync(["--upload-url", first.Url!, "--file", file, "--protocol", "tus-v1", "--source", "file", "--chunk-size", $"{ChunkSize}"]);

            Assert.True(second.Event == "success", $"the resuming run failed: {second}");
            Assert.Equal(first.Url, second.Url);
            Assert.Equal(Size, second.Accepted);
            await AssertPublishedAsync(server, "resumed.bin", file);
        }
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ParallelUploads_AreConcatenatedIntoOneAtomicPublish(StoreKind kind)
    {
        var (file, server) = await StartAsync(kind, seed: 33);
        await using (server)
        {
            var outcome = await TusScript.UploadAsync([.. Arguments(server, file, "buffer"), "--filename", "parallel.bin", "--parallel", "3"]);

            Assert.True(outcome.Event == "success", $"the client failed: {outcome}");
            await AssertPublishedAsync(server, "parallel.bin", file);
        }
    }

    [Theory]
    [InlineData(StoreKind.Local, "sha1")]
    [InlineData(StoreKind.Local, "sha256")]
    [InlineData(StoreKind.AzureBlob, "md5")]
    public async Task ChecksummedChunks_AreVerifiedAndPublished(StoreKind kind, string algorithm)
    {
        var (file, server) = await StartAsync(kind, seed: 34);
        await using (server)
        {
            var corrupt = await TusScript.UploadAsync([.. Arguments(server, file, "buffer"), "--filename", "checked.bin", "--checksum", algorithm, "--corrupt-checksum"]);
            Assert.True(corrupt is { Event: "error", Status: 460, Accepted: 0 }, $"a wrong checksum was not refused: {corrupt}");
            Assert.Empty(await server.PublishedNamesAsync());

            var outcome = await TusScript.UploadAsync([.. Arguments(server, file, "buffer"), "--filename", "checked.bin", "--checksum", algorithm]);

            Assert.True(outcome.Event == "success", $"the client failed: {outcome}");
            Assert.Equal(4, outcome.Checksummed); // every PATCH carried one
            await AssertPublishedAsync(server, "checked.bin", file);
        }
    }

    private async Task<(string File, TusServer Server)> StartAsync(StoreKind kind, int seed)
    {
        NodeScript.RequirePackage("tus-js-client");
        var data = new TempDirectory(); // removed with the test process's temp folder; the file is read by the client
        return (data.CreateFile("source.bin", Size, seed), await TusServer.StartAsync(kind, azurite));
    }

    private static string[] Arguments(TusServer server, string file, string source)
        => ["--endpoint", new Uri(server.BaseAddress, "tus").AbsoluteUri, "--file", file, "--protocol", "tus-v1", "--source", source, "--chunk-size", $"{ChunkSize}"];

    private static async Task AssertPublishedAsync(TusServer server, string name, string file)
    {
        Assert.Equal([name], await server.PublishedNamesAsync());
        var published = await server.PublishedAsync(name);
        Assert.True(published is not null && File.ReadAllBytes(file).AsSpan().SequenceEqual(published), $"{name} differs from what the client sent");
    }
}
