using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>RFC 9530 on uploads: a digest the client sends is verified, a digest it asks for (its preferred algorithm)
/// is computed and answered, and otherwise nothing is hashed unless the app's policy says so.</summary>
public sealed class UploadDigestPolicyTests
{
    private static readonly byte[] Data = UploadServer.RandomBytes(300_000, seed: 9);
    private static readonly string Sha256 = $"sha-256=:{Convert.ToBase64String(SHA256.HashData(Data))}:";
    private static readonly string Sha512 = $"sha-512=:{Convert.ToBase64String(SHA512.HashData(Data))}:";

    [Theory]
    [InlineData(null, null, null, null)] // nobody asked: nothing computed
    [InlineData(null, "Want-Repr-Digest", "sha-512=10, sha-256=3", "sha-512")]
    [InlineData(null, "Want-Repr-Digest", "sha-256=3, sha-512=1", "sha-256")]
    [InlineData(null, "Want-Content-Digest", "sha-256=1", "sha-256")]
    [InlineData(null, "Want-Repr-Digest", "sha-256=0", null)] // 0: "not this one"
    [InlineData(null, "Want-Repr-Digest", "md5=10, unixsum=5", null)] // nothing supported
    [InlineData(null, "Want-Repr-Digest", "sha-256=:garbage:", null)] // not a weight: ignored
    [InlineData("AlwaysSha512", null, null, "sha-512")]
    [InlineData("AlwaysSha256", "Want-Repr-Digest", "sha-512=5", "sha-512")] // the client's preference wins
    [InlineData(null, "Content-Digest", "{sha-256}", "sha-256")] // sent, so verified, so answered at no cost
    public async Task ARawUploadComputesWhatIsSentAskedForOrConfigured(string? policy, string? field, string? value, string? answered)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, policy is null ? null : new() { ["Digest"] = policy });
        using var request = new HttpRequestMessage(HttpMethod.Put, "u/a.bin") { Content = new ByteArrayContent(Data) };
        if (field is not null)
        {
            request.Headers.TryAddWithoutValidation(field, value!.Replace("{sha-256}", Sha256, StringComparison.Ordinal));
        }

        using var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var digest = response.Headers.TryGetValues("Repr-Digest", out var values) ? values.Single() : null;
        Assert.Equal(answered switch { "sha-256" => Sha256, "sha-512" => Sha512, _ => null }, digest);
        Assert.Equal(Data, await File.ReadAllBytesAsync(temp["a.bin"]));
    }

    [Fact]
    public async Task AWrongDigestIsStillRefusedWithNothingStored()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var request = new HttpRequestMessage(HttpMethod.Put, "u/a.bin") { Content = new ByteArrayContent(Data) };
        request.Headers.TryAddWithoutValidation("Repr-Digest", $"sha-512=:{Convert.ToBase64String(SHA512.HashData(Data[1..]))}:");
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(server.Files());
    }

    [Fact]
    public async Task AFormAskingForADigestGetsOneForEachFile()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Data), "file", "a.bin" }, { new ByteArrayContent(Data), "other", "b.bin" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "m") { Content = form };
        request.Headers.TryAddWithoutValidation("Want-Repr-Digest", "sha-512=9");
        using var response = await server.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, CountOf(body, Sha512));

        using var plain = new MultipartFormDataContent { { new ByteArrayContent(Data), "file", "c.bin" } };
        using var unasked = await server.Client.PostAsync("m", plain);
        Assert.DoesNotContain("reprDigest", await unasked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("r")]
    [InlineData("tus")]
    public async Task AResumableUploadComputesWhatItsCreationAskedFor(string protocol)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var create = new HttpRequestMessage(HttpMethod.Post, protocol == "tus" ? "tus" : "r/a.bin");
        create.Headers.TryAddWithoutValidation("Want-Repr-Digest", "sha-512=10");
        create.Headers.TryAddWithoutValidation("Upload-Length", Data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (protocol == "tus")
        {
            create.Headers.TryAddWithoutValidation("Tus-Resumable", "1.0.0");
            create.Headers.TryAddWithoutValidation("Upload-Metadata", "filename " + Convert.ToBase64String("a.bin"u8));
        }
        else
        {
            create.Headers.TryAddWithoutValidation("Upload-Complete", "?0");
            create.Headers.TryAddWithoutValidation("Upload-Draft-Interop-Version", "6");
            create.Content = new ByteArrayContent([]);
        }

        using var created = await server.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // Two appends, so the digest is the whole upload's, not the last request's.
        var location = created.Headers.Location!;
        HttpResponseMessage? last = null;
        foreach (var (start, end) in new[] { (0, 100_000), (100_000, Data.Length) })
        {
            using var append = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(Data[start..end]) };
            append.Headers.TryAddWithoutValidation("Upload-Offset", start.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (protocol == "tus")
            {
                append.Headers.TryAddWithoutValidation("Tus-Resumable", "1.0.0");
                append.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
            }
            else
            {
                append.Headers.TryAddWithoutValidation("Upload-Complete", end == Data.Length ? "?1" : "?0");
                append.Headers.TryAddWithoutValidation("Upload-Draft-Interop-Version", "6");
                append.Content.Headers.ContentType = new MediaTypeHeaderValue("application/partial-upload");
            }

            last?.Dispose();
            last = await server.Client.SendAsync(append);
            Assert.True(last.IsSuccessStatusCode, $"{last.StatusCode}: {await last.Content.ReadAsStringAsync()}");
        }

        Assert.Equal(Sha512, last!.Headers.GetValues("Repr-Digest").Single());
        last.Dispose();
        Assert.Equal(Data, await File.ReadAllBytesAsync(temp["a.bin"]));
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
