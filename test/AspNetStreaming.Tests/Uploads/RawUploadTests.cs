using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Uploads;

public sealed class RawUploadTests
{
    [Fact]
    public async Task PutStoresTheBodyThenReplacesItWith201Then204()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var data = UploadServer.RandomBytes(3 << 20);

        using var put = new HttpRequestMessage(HttpMethod.Put, "u/a.bin") { Content = new ByteArrayContent(data) };
        put.Headers.TryAddWithoutValidation("Want-Repr-Digest", "sha-256=1");
        using var created = await server.Client.SendAsync(put);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/u/a.bin", created.Headers.Location!.OriginalString);
        Assert.Equal(UploadServer.Sha256Field(data), created.Headers.GetValues("Repr-Digest").Single());
        Assert.Equal(data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), created.Headers.GetValues("Upload-Length").Single());
        Assert.Contains("\"length\":3145728", await created.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(data, await File.ReadAllBytesAsync(temp["a.bin"]));
        Assert.True(server.Host.Logs.Contains(4001));

        var second = UploadServer.RandomBytes(1000, seed: 2);
        using var replaced = await server.Client.PutAsync("u/a.bin", new ByteArrayContent(second));
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);
        Assert.Equal(second, await File.ReadAllBytesAsync(temp["a.bin"]));
        Assert.Equal(["a.bin"], server.Files());
    }

    [Fact]
    public async Task A1GiBUploadLandsByteIdentical()
    {
        using var temp = new TempDirectory();
        using var source = new TempDirectory();
        var sourcePath = source.CreateFile("big.bin", 1L << 30, seed: 7);
        await using var server = await UploadServer.StartAsync(temp.Path);

        await using (var stream = File.OpenRead(sourcePath))
        {
            using var put = new HttpRequestMessage(HttpMethod.Put, "u/big.bin") { Content = new StreamContent(stream, 1 << 20) };
            put.Headers.TryAddWithoutValidation("Want-Repr-Digest", "sha-256=1");
            using var response = await server.Client.SendAsync(put);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var expected = await HashFileAsync(sourcePath);
            Assert.Equal($"sha-256=:{Convert.ToBase64String(expected)}:", response.Headers.GetValues("Repr-Digest").Single());
            Assert.Equal(expected, await HashFileAsync(temp["big.bin"]));
        }

        Assert.Equal(1L << 30, new FileInfo(temp["big.bin"]).Length);
        Assert.Equal(["big.bin"], server.Files());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(500_000)]
    [InlineData(999_999)]
    public async Task AClientAbortLeavesNoFile(int sentBytes)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var data = UploadServer.RandomBytes(1_000_000);

        await server.AbortAfterAsync("PUT", "/u/aborted.bin", data.Length, data, sentBytes, server.Receiving);

        await Eventually.AssertAsync(() => server.Host.Logs.Contains(4003), "the server logged the abort (4003)");
        // The abort is logged as it is classified; the temporary file is deleted just after.
        await Eventually.AssertAsync(() => server.Files().Length == 0, "a file is left", details: () => string.Join(", ", server.Files()));
    }

    [Fact]
    public async Task OverTheLimitByContentLengthIs413BeforeReading()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["MaxSize"] = "1000" });

        using var response = await server.Client.PutAsync("u/big.bin", new ByteArrayContent(new byte[2000]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(server.Files());
    }

    [Fact]
    public async Task OverTheLimitMidStreamIs413AndNoFile()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["MaxSize"] = "100000" });
        var content = new StreamContent(new MemoryStream(new byte[300_000]));
        using var request = new HttpRequestMessage(HttpMethod.Put, "u/big.bin") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(server.Files());
        Assert.True(server.Host.Logs.Contains(4002));
    }

    [Theory]
    [InlineData("Content-Digest", "sha-256")]
    [InlineData("Repr-Digest", "sha-512")]
    [InlineData("Content-MD5", "md5")]
    public async Task AMatchingDigestIsAccepted(string field, string algorithm)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var data = UploadServer.RandomBytes(200_000);
        using var request = new HttpRequestMessage(HttpMethod.Put, "u/d.bin") { Content = new ByteArrayContent(data) };
        AddField(request, field, DigestValue(algorithm, data));

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(data, await File.ReadAllBytesAsync(temp["d.bin"]));
    }

    [Theory]
    [InlineData("Content-Digest", "sha-256")]
    [InlineData("Repr-Digest", "sha-512")]
    [InlineData("Content-MD5", "md5")]
    public async Task AMismatchingDigestIs400AndNothingIsStored(string field, string algorithm)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var data = UploadServer.RandomBytes(200_000);
        using var request = new HttpRequestMessage(HttpMethod.Put, "u/d.bin") { Content = new ByteArrayContent(data) };
        AddField(request, field, DigestValue(algorithm, UploadServer.RandomBytes(10, seed: 9)));

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Digest Mismatch", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(server.Files());
    }

    [Theory]
    [InlineData("..")]
    [InlineData("..%2F..%2Fescape")]
    [InlineData("a%5Cb")]
    [InlineData(".hidden")]
    [InlineData("CON")]
    [InlineData("nul.txt")]
    [InlineData("a%00b")]
    [InlineData("a%3Ab")]
    public async Task TraversalAndUnsafeNamesAreRefused(string name)
    {
        using var temp = new TempDirectory();
        var root = Directory.CreateDirectory(Path.Combine(temp.Path, "root")).FullName;
        await using var server = await UploadServer.StartAsync(root);

        using var response = await server.Client.PutAsync("u/" + name, new ByteArrayContent([1, 2, 3]));

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{name}: {response.StatusCode}");
        Assert.Empty(Directory.GetFiles(temp.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ALongNameIsRefused()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var response = await server.Client.PutAsync("u/" + new string('a', 201), new ByteArrayContent([1]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task IfNoneMatchStarOnAnExistingTargetIs412AndKeepsIt()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        await File.WriteAllBytesAsync(temp["x.bin"], [9, 9, 9]);
        using var request = new HttpRequestMessage(HttpMethod.Put, "u/x.bin") { Content = new ByteArrayContent([1, 2, 3]) };
        request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal([9, 9, 9], await File.ReadAllBytesAsync(temp["x.bin"]));
        Assert.Equal(["x.bin"], server.Files());

        using var fresh = new HttpRequestMessage(HttpMethod.Put, "u/y.bin") { Content = new ByteArrayContent([1, 2, 3]) };
        fresh.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        using var ok = await server.Client.SendAsync(fresh);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
    }

    [Fact]
    public async Task IfMatchReplacesOnlyTheVersionItNames()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["Overwrite"] = "Reject" });
        using var first = await server.Client.PutAsync("u/v.bin", new ByteArrayContent([1]));
        var etag = first.Headers.ETag!;

        using var stale = new HttpRequestMessage(HttpMethod.Put, "u/v.bin") { Content = new ByteArrayContent([2]) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"nope\""));
        using var refused = await server.Client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);

        using var plain = await server.Client.PutAsync("u/v.bin", new ByteArrayContent([3]));
        Assert.Equal(HttpStatusCode.Conflict, plain.StatusCode);

        using var current = new HttpRequestMessage(HttpMethod.Put, "u/v.bin") { Content = new ByteArrayContent([4]) };
        current.Headers.IfMatch.Add(etag);
        using var replaced = await server.Client.SendAsync(current);
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);
        Assert.Equal([4], await File.ReadAllBytesAsync(temp["v.bin"]));
    }

    [Fact]
    public async Task ConcurrentUploadsOfOneNameNeverInterleave()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var a = UploadServer.RandomBytes(8 << 20, seed: 1);
        var b = UploadServer.RandomBytes(8 << 20, seed: 2);

        var results = await Task.WhenAll(
            server.Client.PutAsync("u/same.bin", new StreamContent(new MemoryStream(a), 64 * 1024)),
            server.Client.PutAsync("u/same.bin", new StreamContent(new MemoryStream(b), 64 * 1024)));

        Assert.All(results, r => Assert.True(r.IsSuccessStatusCode));
        var stored = await File.ReadAllBytesAsync(temp["same.bin"]);
        Assert.True(stored.AsSpan().SequenceEqual(a) || stored.AsSpan().SequenceEqual(b), "the stored file is one whole upload");
        Assert.Equal(["same.bin"], server.Files());
    }

    [Fact]
    public async Task ConcurrentUploadsOfOneNameWithRejectStoreOneAndRefuseTheOther()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["Overwrite"] = "Reject" });
        var a = UploadServer.RandomBytes(4 << 20, seed: 1);
        var b = UploadServer.RandomBytes(4 << 20, seed: 2);

        var results = await Task.WhenAll(
            server.Client.PutAsync("u/same.bin", new ByteArrayContent(a)),
            server.Client.PutAsync("u/same.bin", new ByteArrayContent(b)));

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], results.Select(r => r.StatusCode).Order());
        var stored = await File.ReadAllBytesAsync(temp["same.bin"]);
        Assert.True(stored.AsSpan().SequenceEqual(a) || stored.AsSpan().SequenceEqual(b));
        Assert.Equal(["same.bin"], server.Files());
    }

    [RootFact]
    public async Task DiskFullIs507WithoutAPathAndLeavesNoFile()
    {
        using var temp = new TempDirectory();
        var mount = Directory.CreateDirectory(Path.Combine(temp.Path, "small")).FullName;
        Run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount);
        try
        {
            await using var server = await UploadServer.StartAsync(mount);
            var data = UploadServer.RandomBytes(16 << 20);

            // Announced length: the space reservation fails before the body is read.
            using var announced = await server.Client.PutAsync("u/full.bin", new ByteArrayContent(data));
            Assert.Equal(HttpStatusCode.InsufficientStorage, announced.StatusCode);
            var body = await announced.Content.ReadAsStringAsync();
            Assert.DoesNotContain(mount, body, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(mount));

            // Chunked: the disk fills mid-stream.
            using var request = new HttpRequestMessage(HttpMethod.Put, "u/full.bin") { Content = new StreamContent(new MemoryStream(data)) };
            request.Headers.TransferEncodingChunked = true;
            using var chunked = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.InsufficientStorage, chunked.StatusCode);
            Assert.DoesNotContain(mount, await chunked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(mount));
            Assert.True(server.Host.Logs.Contains(4004));
        }
        finally
        {
            Run("umount", mount);
        }
    }

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} failed: {error}");
    }

    private static void AddField(HttpRequestMessage request, string field, string value)
    {
        if (!request.Headers.TryAddWithoutValidation(field, value))
        {
            Assert.True(request.Content!.Headers.TryAddWithoutValidation(field, value));
        }
    }

    private static string DigestValue(string algorithm, byte[] data) => algorithm switch
    {
        "sha-256" => $"sha-256=:{Convert.ToBase64String(SHA256.HashData(data))}:",
        "sha-512" => $"sha-512=:{Convert.ToBase64String(SHA512.HashData(data))}:",
#pragma warning disable CA5351 // Testing the legacy Content-MD5 field.
        _ => Convert.ToBase64String(MD5.HashData(data)),
#pragma warning restore CA5351
    };

    private static async Task<byte[]> HashFileAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return await SHA256.HashDataAsync(stream);
    }
}
