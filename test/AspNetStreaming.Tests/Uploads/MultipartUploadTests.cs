using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Uploads;

public sealed class MultipartUploadTests
{
    [Fact]
    public async Task SeveralFilesAndFieldsAreStoredTogether()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var a = UploadServer.RandomBytes(700_000, seed: 1);
        var b = UploadServer.RandomBytes(5, seed: 2);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("hello"), "title" },
            { new ByteArrayContent(a), "first", "a.bin" },
            { new ByteArrayContent(b), "second", "C:\\Users\\me\\b.txt" },
        };

        using var request = new HttpRequestMessage(HttpMethod.Post, "m") { Content = form };
        request.Headers.TryAddWithoutValidation("Want-Repr-Digest", "sha-256=1");
        using var response = await server.Client.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Contains("\"title\":\"hello\"", body, StringComparison.Ordinal);
        Assert.Contains("\"field\":\"first\",\"name\":\"a.bin\",\"length\":700000", body, StringComparison.Ordinal);
        Assert.Contains(UploadServer.Sha256Field(a), body, StringComparison.Ordinal);
        Assert.Equal(a, await File.ReadAllBytesAsync(temp["a.bin"]));
        Assert.Equal(b, await File.ReadAllBytesAsync(temp["b.txt"]));
        Assert.Equal(["a.bin", "b.txt"], server.Files());
    }

    [Fact]
    public async Task OneFileOverItsCapMeansNoneArePublished()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["Multipart:MaxFileSize"] = "100000" });
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(new byte[50_000]), "f1", "one.bin" },
            { new ByteArrayContent(new byte[60_000]), "f2", "two.bin" },
            { new ByteArrayContent(new byte[200_000]), "f3", "three.bin" },
            { new ByteArrayContent(new byte[10]), "f4", "four.bin" },
        };

        using var response = await server.Client.PostAsync("m", form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("f3", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(server.Files());
    }

    [Fact]
    public async Task TooManyPartsIsRefusedAndNothingStored()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["Multipart:MaxParts"] = "2" });
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent([1]), "f1", "one.bin" },
            { new ByteArrayContent([2]), "f2", "two.bin" },
            { new ByteArrayContent([3]), "f3", "three.bin" },
        };

        using var response = await server.Client.PostAsync("m", form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(server.Files());
    }

    [Fact]
    public async Task OversizedPartHeadersAndFieldsAreRefused()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["Multipart:MaxHeaderSize"] = "200", ["Multipart:MaxFieldSize"] = "10" });
        using var headerForm = new MultipartFormDataContent();
        var part = new ByteArrayContent([1]);
        part.Headers.Add("X-Padding", new string('x', 400));
        headerForm.Add(part, "f", "f.bin");
        using var headerResponse = await server.Client.PostAsync("m", headerForm);
        Assert.Equal(HttpStatusCode.BadRequest, headerResponse.StatusCode);

        using var fieldForm = new MultipartFormDataContent { { new StringContent(new string('y', 11)), "long" } };
        using var fieldResponse = await server.Client.PostAsync("m", fieldForm);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, fieldResponse.StatusCode);
        Assert.Empty(server.Files());
    }

    // The form's Content-Digest (or Repr-Digest) covers its whole body, preamble to epilogue.
    [Theory]
    [InlineData("Content-Digest", true)]
    [InlineData("Content-Digest", false)]
    [InlineData("Repr-Digest", false)]
    public async Task AFormsDigestIsVerifiedOverTheWholeBody_AndAWrongOnePublishesNothing(string field, bool right)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var body = System.Text.Encoding.ASCII.GetBytes("--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n\r\n"
            + new string('x', 300_000) + "\r\n--B--\r\nan epilogue");
        using var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=B");
        using var request = new HttpRequestMessage(HttpMethod.Post, "m") { Content = content };
        request.Headers.TryAddWithoutValidation(field, UploadServer.Sha256Field(right ? body : body[..^1]));

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(right ? HttpStatusCode.Created : HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(right ? ["a.bin"] : [], server.Files());
        Assert.Empty(server.TempFiles());
    }

    [Fact]
    public async Task AFieldLongerThanOneReadIsKeptWhole_AndOnePastTheLimitsIsRefused()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new()
        {
            ["Multipart:MaxFieldSize"] = (1 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Multipart:MaxTotalFieldSize"] = (1_300_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        // 700,000 bytes: beyond the 256 KiB read buffer, within the field limit.
        var value = new string('x', 700_000);
        using var form = new MultipartFormDataContent { { new StringContent(value), "big" } };
        using var response = await server.Client.PostAsync("m", form);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(value, json.RootElement.GetProperty("fields").GetProperty("big").GetString());

        // Two such fields pass the total; one of 1 MiB + 1 byte passes the field limit.
        using var twice = new MultipartFormDataContent { { new StringContent(value), "a" }, { new StringContent(value), "b" } };
        using var overTotal = await server.Client.PostAsync("m", twice);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overTotal.StatusCode);
        using var tooLong = new MultipartFormDataContent { { new StringContent(new string('y', (1 << 20) + 1)), "long" } };
        using var overField = await server.Client.PostAsync("m", tooLong);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overField.StatusCode);
    }

    [Fact]
    public async Task UnsafeFileNamesAndNonMultipartBodiesAreRefused()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent([1]), "ok", "fine.bin" },
            { new ByteArrayContent([2]), "bad", "..\\..\\" },
        };
        using var response = await server.Client.PostAsync("m", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        using var plain = await server.Client.PostAsync("m", new StringContent("x", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        Assert.Empty(server.Files());
    }

    [Fact]
    public async Task AnExistingTargetWithRejectPolicyMeansNoneArePublished()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["Overwrite"] = "Reject" });
        await File.WriteAllBytesAsync(temp["taken.bin"], [7]);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent([1]), "f1", "new.bin" },
            { new ByteArrayContent([2]), "f2", "taken.bin" },
        };
        form.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("charset", "utf-8"));

        using var response = await server.Client.PostAsync("m", form);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(["taken.bin"], server.Files());
        Assert.Equal([7], await File.ReadAllBytesAsync(temp["taken.bin"]));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("--zz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"cut.bin\"\r\n\r\nno closing boundary")]
    public async Task ABodyThatEndsBeforeTheClosingBoundary_Is400_NotA500_AndStoresNothing(string body)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=zz");

        using var response = await server.Client.PostAsync("m", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(server.Host.Logs.Contains(4005), "not logged as a server failure");
        Assert.Empty(server.Files());
        Assert.Empty(server.TempFiles());
    }
}
