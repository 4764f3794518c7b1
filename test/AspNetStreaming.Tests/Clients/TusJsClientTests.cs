using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Uploads;

namespace AspNetStreaming.Tests.Clients;

/// <summary>tus-js-client 4.3.1 (test/js, run with the machine's Node) uploading to <c>MapResumableUploads</c> with
/// both of its IETF protocols: ietf-draft-05 (interop version 6) and ietf-draft-03 (interop version 5), from its
/// three Node sources: a Buffer, an fs.ReadStream (read by path) and a plain Readable stream. The asserts are on
/// what the server stored, not only on what the client reports.</summary>
public sealed class TusJsClientTests
{
    private const int ChunkSize = 1 << 20;
    private const int Size = (3 << 20) + 4321; // four appends of 1 MiB chunks, the last one short
    private const int AppendCount = (Size + ChunkSize - 1) / ChunkSize;
    private const int Created = 4020; // UploadLog.ResumableCreated
    private const int Appended = 4021; // UploadLog.ResumableAppended
    private static readonly string[] Protocols = ["ietf-draft-05", "ietf-draft-03"];

    public static TheoryData<string, string, bool> ChunkedUploads
    {
        get
        {
            var cases = new TheoryData<string, string, bool>();
            foreach (var protocol in Protocols)
            {
                foreach (var source in new[] { "stream", "file", "buffer" })
                {
                    cases.Add(protocol, source, false);
                    cases.Add(protocol, source, true); // the first chunk in the creation request
                }
            }

            return cases;
        }
    }

    // A plain stream is resumed in the process that read it (below): tus-js-client's StreamSource cannot skip
    // ahead, so a new process handed the URL fails in the client ("slice start is outside of buffer").
    public static TheoryData<string, string> Resumable
    {
        get
        {
            var cases = new TheoryData<string, string>();
            foreach (var protocol in Protocols)
            {
                cases.Add(protocol, "file");
                cases.Add(protocol, "buffer");
            }

            return cases;
        }
    }

    [Theory]
    [MemberData(nameof(ChunkedUploads))]
    public async Task AChunkedUpload_IsStoredByteIdentical_AndPublished(string protocol, string source, bool dataDuringCreation)
    {
        NodeScript.RequirePackage("tus-js-client");
        using var data = new TempDirectory();
        using var root = new TempDirectory();
        var file = data.CreateFile("source.bin", Size, seed: 5);
        await using var server = await UploadServer.StartAsync(root.Path);
        string[] arguments = [.. Arguments(server, "chunked.bin", file, protocol, source), .. dataDuringCreation ? ["--data-during-creation"] : Array.Empty<string>()];

        var outcome = await TusScript.UploadAsync(arguments);

        Assert.True(outcome.Event == "success", $"the client failed: {outcome}");
        Assert.StartsWith(new Uri(server.Host.BaseAddress, "r/").AbsoluteUri, outcome.Url, StringComparison.Ordinal);
        Assert.Equal(Size, outcome.Accepted);
        Assert.Equal(InteropVersionOf(protocol), outcome.Interop); // the server followed the client's draft
        AssertPublished(server, root, "chunked.bin", file);
        Assert.Equal(AppendCount, AppendsWithData(server)); // one request per chunk, each one stored
    }

    [Theory]
    [MemberData(nameof(Resumable))]
    public async Task AnUploadAbortedHalfway_PublishesNothing_AndASecondRunResumesItFromItsUrl(string protocol, string source)
    {
        NodeScript.RequirePackage("tus-js-client");
        using var data = new TempDirectory();
        using var root = new TempDirectory();
        var file = data.CreateFile("source.bin", Size, seed: 6);
        await using var server = await UploadServer.StartAsync(root.Path);

        var first = await TusScript.UploadAsync([.. Arguments(server, "resumed.bin", file, protocol, source), "--abort-after", $"{Size / 2}"]);
        await AssertAbortedHalfwayAsync(server, root, first, protocol);

        // No --endpoint: a client that could not resume would otherwise quietly start a new upload.
        var second = await TusScript.UploadAsync(["--upload-url", first.Url!, "--file", file, "--protocol", protocol, "--source", source, "--chunk-size", $"{ChunkSize}"]);

        Assert.True(second.Event == "success", $"the resuming run failed: {second}");
        Assert.Equal(first.Url, second.Url);
        Assert.Equal(Size, second.Accepted);
        Assert.Equal(InteropVersionOf(protocol), second.Interop);
        AssertPublished(server, root, "resumed.bin", file);
        Assert.Single(server.Host.Logs.Entries, e => e.EventId.Id == Created); // resumed, not uploaded again
        Assert.Equal(AppendCount, AppendsWithData(server)); // the first run's two, the second run's rest
    }

    [Theory]
    [InlineData("ietf-draft-05")]
    [InlineData("ietf-draft-03")]
    public async Task AStreamUploadAbortedHalfway_PublishesNothing_AndStartingItAgainResumesIt(string protocol)
    {
        NodeScript.RequirePackage("tus-js-client");
        using var data = new TempDirectory();
        using var root = new TempDirectory();
        var file = data.CreateFile("source.bin", Size, seed: 7);
        await using var server = await UploadServer.StartAsync(root.Path);
        TusOutcome? first = null;

        // One run: the script aborts, the test checks the server, then a line on stdin makes it start() again.
        var final = await TusScript.UploadAsync([.. Arguments(server, "paused.bin", file, protocol, "stream"), "--abort-after", $"{Size / 2}", "--resume-on-input"],
            async (line, input) =>
            {
                if (first is not null)
                {
                    return;
                }

                first = TusScript.Parse(line) ?? throw new InvalidOperationException($"not a result line: {line}");
                await AssertAbortedHalfwayAsync(server, root, first, protocol);
                await input.WriteLineAsync("resume");
                await input.FlushAsync();
            });

        Assert.NotNull(first);
        Assert.True(final.Event == "success", $"the resumed upload failed: {final}");
        Assert.Equal(first.Url, final.Url);
        Assert.Equal(Size, final.Accepted);
        Assert.Equal(InteropVersionOf(protocol), final.Interop);
        AssertPublished(server, root, "paused.bin", file);
        Assert.Single(server.Host.Logs.Entries, e => e.EventId.Id == Created);
        Assert.Equal(AppendCount, AppendsWithData(server));
    }

    [Theory]
    [InlineData("ietf-draft-05", "sha256")]
    [InlineData("ietf-draft-03", "sha512")]
    public async Task AppendsWithAContentDigest_AreVerified_AndAWrongOneIsRefused(string protocol, string algorithm)
    {
        NodeScript.RequirePackage("tus-js-client");
        using var data = new TempDirectory();
        using var root = new TempDirectory();
        var file = data.CreateFile("source.bin", Size, seed: 8);
        await using var server = await UploadServer.StartAsync(root.Path);

        var corrupt = await TusScript.UploadAsync([.. Arguments(server, "digested.bin", file, protocol, "buffer"), "--checksum", algorithm, "--corrupt-checksum"]);
        Assert.True(corrupt is { Event: "error", Status: 400, Accepted: 0 }, $"a wrong Content-Digest was not refused: {corrupt}");
        Assert.Empty(server.Files());
        using (var cancel = await server.Client.DeleteAsync(corrupt.Url)) // the refused upload stays resumable until cancelled
        {
            Assert.Equal(System.Net.HttpStatusCode.NoContent, cancel.StatusCode);
        }

        var outcome = await TusScript.UploadAsync([.. Arguments(server, "digested.bin", file, protocol, "buffer"), "--checksum", algorithm]);

        Assert.True(outcome.Event == "success", $"the client failed: {outcome}");
        Assert.Equal(AppendCount, outcome.Checksummed); // every append carried one
        AssertPublished(server, root, "digested.bin", file);
    }

    private static string[] Arguments(UploadServer server, string name, string file, string protocol, string source)
        => ["--endpoint", new Uri(server.Host.BaseAddress, "r/" + name).AbsoluteUri, "--file", file, "--protocol", protocol, "--source", source, "--chunk-size", $"{ChunkSize}"];

    // After an abort between two appends: the accepted bytes are staged, nothing is published, and the server's
    // offset (HEAD, as the resuming client asks it) is what the client saw accepted.
    private static async Task AssertAbortedHalfwayAsync(UploadServer server, TempDirectory root, TusOutcome first, string protocol)
    {
        Assert.True(first.Event == "aborted", $"the run did not abort as asked: {first}");
        Assert.Equal(2 * ChunkSize, first.Accepted); // the first chunk ending past halfway
        Assert.Empty(server.Files());
        Assert.Equal(first.Accepted, new FileInfo(Directory.GetFiles(Path.Join(root.Path, ".resumable"), "*.part").Single()).Length);
        using var head = new HttpRequestMessage(HttpMethod.Head, first.Url);
        head.Headers.Add("Upload-Draft-Interop-Version", InteropVersionOf(protocol));
        using var offset = await server.Client.SendAsync(head);
        Assert.Equal(first.Accepted.ToString(CultureInfo.InvariantCulture), Header(offset.Headers, "Upload-Offset"));
        Assert.Equal("?0", Header(offset.Headers, "Upload-Complete"));
        Assert.Equal(Size.ToString(CultureInfo.InvariantCulture), Header(offset.Headers, "Upload-Length"));
    }

    private static string InteropVersionOf(string protocol) => protocol == "ietf-draft-03" ? "5" : "6";

    private static void AssertPublished(UploadServer server, TempDirectory root, string name, string file)
    {
        Assert.Equal([name], server.Files());
        Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(root[name])), $"{name} differs from what the client sent");
        Assert.Empty(Directory.GetFiles(Path.Join(root.Path, ".resumable"), "*.part"));
    }

    // The server's own count of appends that stored bytes (a creation without data logs an empty one).
    private static int AppendsWithData(UploadServer server)
        => server.Host.Logs.Entries.Count(e => e.EventId.Id == Appended && !e.Message.Contains(": appended 0 bytes", StringComparison.Ordinal));

    private static string? Header(HttpResponseHeaders headers, string name) => headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
