using System.Globalization;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Uploads;

namespace AspNetStreaming.Tests.Protocols;

/// <summary>curl, a client nobody on the project wrote, on each protocol (<c>--http2</c> over TLS by ALPN,
/// <c>--http2-prior-knowledge</c>, <c>--http1.1</c>): one upload of each kind and a multi-range download.</summary>
[Collection(ProtocolMatrixGroup.Name)]
public sealed class CurlOnEveryProtocolTests(ProtocolMatrixFixture fixture) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task RawUpload(TestProtocol protocol)
    {
        var file = _temp.CreateFile($"raw-{protocol}.bin", 2_500_000, seed: 41);

        var (status, version, _) = await CurlAsync(protocol, ["-T", file, "-H", "Expect:"], "/u/curl-raw.bin");

        Assert.Equal(("201", protocol.IsHttp2() ? "2" : "1.1"), (status, version));
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Join(fixture.UploadRoot(protocol), "curl-raw.bin")));
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task MultipartUpload(TestProtocol protocol)
    {
        var file = _temp.CreateFile($"curl-form-{protocol}.bin", 600_000, seed: 42);

        var (status, version, body) = await CurlAsync(protocol, ["-F", "title=curl", "-F", $"f=@{file}"], "/m");

        Assert.Equal(("201", protocol.IsHttp2() ? "2" : "1.1"), (status, version));
        Assert.Contains("\"title\":\"curl\"", body, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Join(fixture.UploadRoot(protocol), Path.GetFileName(file))));
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task ResumableUpload_InTwoRequests(TestProtocol protocol)
    {
        var data = UploadServer.RandomBytes(1_000_000, seed: 43);
        var first = _temp["first-" + protocol];
        var rest = _temp["rest-" + protocol];
        await File.WriteAllBytesAsync(first, data[..400_000]);
        await File.WriteAllBytesAsync(rest, data[400_000..]);
        var headers = _temp["headers-" + protocol];

        var (created, _, _) = await CurlAsync(protocol, ["-X", "POST", "--data-binary", "@" + first, "-H", "Content-Type:", "-H", "Upload-Complete: ?0",
            "-H", "Upload-Length: " + data.Length.ToString(CultureInfo.InvariantCulture), "-H", "Upload-Draft-Interop-Version: 6", "-D", headers], "/r/curl-resumed.bin");
        Assert.Equal("201", created);
        var location = File.ReadAllLines(headers).Select(l => l.Trim()).Last(l => l.StartsWith("location:", StringComparison.OrdinalIgnoreCase))["location:".Length..].Trim();
        var (appended, _, _) = await CurlAsync(protocol, ["-X", "PATCH", "--data-binary", "@" + rest, "-H", "Content-Type: application/partial-upload",
            "-H", "Upload-Offset: 400000", "-H", "Upload-Complete: ?1", "-H", "Upload-Draft-Interop-Version: 6"], location);

        Assert.Equal("201", appended);
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Join(fixture.UploadRoot(protocol), "curl-resumed.bin")));
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task MultiRangeDownload(TestProtocol protocol)
    {
        var output = _temp["ranges-" + protocol];

        var (status, version, _) = await CurlAsync(protocol, ["-r", "0-99,200000-200999", "-o", output, "-D", output + ".headers"], "/files/data.bin");

        Assert.Equal(("206", protocol.IsHttp2() ? "2" : "1.1"), (status, version));
        var contentType = File.ReadAllLines(output + ".headers").Single(l => l.StartsWith("content-type:", StringComparison.OrdinalIgnoreCase));
        var boundary = contentType[(contentType.IndexOf("boundary=", StringComparison.Ordinal) + "boundary=".Length)..].Trim().Trim('"');
        var parts = FilesOnEveryProtocolTests.MultipartParts(await File.ReadAllBytesAsync(output), boundary);
        Assert.Equal([fixture.Data[..100], fixture.Data[200_000..201_000]], parts);
    }

    /// <summary>Runs curl against <paramref name="path"/>; returns the status code, the HTTP version curl spoke and
    /// the body (when not written to a file).</summary>
    private async Task<(string Status, string Version, string Body)> CurlAsync(TestProtocol protocol, string[] arguments, string path)
    {
        var url = new Uri(fixture.Host(protocol).BaseAddress, path).ToString();
        var marker = "\n--curl-write-out--";
        string[] all = ["-sS", .. protocol.CurlFlags(), "--max-time", "60", .. arguments, "-w", marker + "%{http_code} %{http_version}", url];
        var (exit, stdout, stderr) = await CommandLine.RunAsync("curl", all, TimeSpan.FromSeconds(90));
        Assert.True(exit == 0, $"curl exited with {exit}: {stderr}");
        var at = stdout.LastIndexOf(marker, StringComparison.Ordinal);
        var written = stdout[(at + marker.Length)..].Split(' ');
        return (written[0], written[1], stdout[..at]);
    }
}
