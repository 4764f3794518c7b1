using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Uploads;

namespace AspNetStreaming.Tests.Protocols;

/// <summary>Raw, multipart and resumable uploads on HTTP/1.1, h2 over TLS and h2c: stored whole, nothing else left.</summary>
[Collection(ProtocolMatrixGroup.Name)]
public sealed class UploadsOnEveryProtocolTests(ProtocolMatrixFixture fixture)
{
    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task RawUpload_IsStoredWhole(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();
        var data = UploadServer.RandomBytes(3_000_000, seed: 21);

        using var request = new HttpRequestMessage(HttpMethod.Put, "/u/raw.bin") { Content = new ByteArrayContent(data) };
        request.Headers.TryAddWithoutValidation("Want-Repr-Digest", "sha-256=1");
        using var response = await client.SendAsync(request);

        Assert.Equal(protocol.VersionOf(), response.Version);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(UploadServer.Sha256Field(data), response.Headers.GetValues("Repr-Digest").Single());
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Join(fixture.UploadRoot(protocol), "raw.bin")));
        Assert.Empty(Directory.GetFiles(fixture.UploadRoot(protocol), ".upload-*"));
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task MultipartUpload_StoresEveryFile(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();
        var first = UploadServer.RandomBytes(700_000, seed: 22);
        var second = UploadServer.RandomBytes(5_000, seed: 23);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("hello"), "title" },
            { new ByteArrayContent(first), "a", "form-a.bin" },
            { new ByteArrayContent(second), "b", "form-b.bin" },
        };

        using var response = await client.PostAsync("/m", form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Contains("\"title\":\"hello\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(first, await File.ReadAllBytesAsync(Path.Join(fixture.UploadRoot(protocol), "form-a.bin")));
        Assert.Equal(second, await File.ReadAllBytesAsync(Path.Join(fixture.UploadRoot(protocol), "form-b.bin")));
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task ResumableUpload_CreateHeadAppend(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();
        var data = UploadServer.RandomBytes(2_000_000, seed: 24);
        using var create = new HttpRequestMessage(HttpMethod.Post, "/r/resumed.bin") { Content = new ByteArrayContent(data, 0, 800_000) };
        create.Headers.Add("Upload-Draft-Interop-Version", "6");
        create.Headers.Add("Upload-Complete", "?0");
        create.Headers.Add("Upload-Length", data.Length.ToString(CultureInfo.InvariantCulture));
        using var created = await client.SendAsync(create);
        // The endpoint sends 104 where it can (HTTP/1.1); on HTTP/2 nothing is sent and the creation still answers 201.
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        Assert.Equal("800000", head.Headers.GetValues("Upload-Offset").Single());

        using var append = ResumableRequests.Patch(location, 800_000, complete: true, data[800_000..]);
        using var appended = await client.SendAsync(append);

        Assert.True(appended.IsSuccessStatusCode, $"{(int)appended.StatusCode}: {await appended.Content.ReadAsStringAsync()}");
        Assert.Equal("?1", appended.Headers.GetValues("Upload-Complete").Single());
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Join(fixture.UploadRoot(protocol), "resumed.bin")));
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task ARefusedUpload_IsAProblem_WithHeadersLegalOnTheProtocol(TestProtocol protocol)
    {
        var host = fixture.Host(protocol);
        using var client = host.CreateClient();
        var content = new ByteArrayContent(new byte[1000]);
        content.Headers.Add("Content-Digest", "sha-256=:" + Convert.ToBase64String(new byte[32]) + ":");

        using var response = await client.PutAsync("/u/mismatch.bin", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        // After a body was read, HTTP/1.1 closes the connection; HTTP/2 has no Connection header (RFC 9113 §8.2.2).
        Assert.Equal(!protocol.IsHttp2(), response.Headers.ConnectionClose == true);
        Assert.False(File.Exists(Path.Join(fixture.UploadRoot(protocol), "mismatch.bin")));
        Assert.DoesNotContain(host.Logs.Entries, e => e.EventId.Name == "InvalidResponseHeaderRemoved"); // Kestrel dropped an HTTP/1-only header
    }
}
