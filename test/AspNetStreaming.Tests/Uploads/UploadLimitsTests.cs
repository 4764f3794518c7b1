using System.Net;
using System.Net.Sockets;
using System.Text;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Uploads;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AspNetStreaming.Tests.Uploads;

public sealed class UploadLimitsTests
{
    [Fact]
    public async Task UploadsOverTheConcurrencyCapGet503WithRetryAfter()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["MaxConcurrentUploads"] = "1" });
        using var slow = await StartSlowUploadAsync(server, "/u/slow.bin");

        using var refused = await server.Client.PutAsync("u/fast.bin", new ByteArrayContent([1]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.DoesNotContain("fast.bin", server.Files());
    }

    [Fact]
    public async Task AClientUnderTheMinimumDataRateIsCutOffAndLeavesNoFile()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new()
        {
            ["MinDataRate"] = "100000",
            ["MinDataRateGracePeriod"] = "00:00:01.500",
        });
        using var slow = await StartSlowUploadAsync(server, "/u/slow.bin");

        await server.WaitUntilLoggedAsync(() => server.Host.Logs.Contains(4003), "the slow upload was cut off (4003)");
        await Eventually.AssertAsync(() => server.Files().Length == 0, "no file is left");
    }

    [Fact]
    public async Task ServerShutdownDuringAnUploadLeavesNoFile()
    {
        using var temp = new TempDirectory();
        var server = await UploadServer.StartAsync(temp.Path);
        using var slow = await StartSlowUploadAsync(server, "/u/slow.bin");
        await Eventually.AssertAsync(() => server.Files().Length == 1, "the temporary file exists while receiving");
        Assert.StartsWith(".upload-", server.Files()[0], StringComparison.Ordinal);

        await server.DisposeAsync();

        Assert.Empty(server.Files());
    }

    [Fact]
    public async Task DurableUploadsAreStored()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["Durable"] = "true" });
        var data = UploadServer.RandomBytes(100_000);

        using var response = await server.Client.PutAsync("u/durable.bin", new ByteArrayContent(data));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(data, await File.ReadAllBytesAsync(temp["durable.bin"]));
    }

    [Fact]
    public async Task DurableResumableUploadsAreStored_TheirStateSavedThroughTheFlush()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["Durable"] = "true" });
        using var created = await server.Client.SendAsync(ResumableRequests.CreateWithLength("durable-r.bin", [1, 2], 4));
        var location = created.Headers.Location!.OriginalString;

        using var completed = await server.Client.SendAsync(ResumableRequests.Patch(location, 2, complete: true, [3, 4]));
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        Assert.Equal("?1", ResumableRequests.Header(head, "Upload-Complete"));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, await File.ReadAllBytesAsync(temp["durable-r.bin"]));
        Assert.Empty(Directory.GetFiles(Path.Join(temp.Path, ".resumable"), "*.tmp"));
    }

    [Theory]
    [InlineData("report.pdf", true)]
    [InlineData("données 2024.csv", true)]
    [InlineData("a/b", false)]
    [InlineData("a\\b", false)]
    [InlineData("..", false)]
    [InlineData(".env", false)]
    [InlineData("COM1.txt", false)]
    [InlineData("trailing.", false)]
    [InlineData("tab\there", false)]
    [InlineData("invoice\u202Efdp.exe", false)]
    [InlineData("\u2066isolated\u2069.txt", false)]
    [InlineData("\uFEFFbom.txt", false)]
    [InlineData("invoice\u200B.pdf", false)] // a zero-width space: looks like "invoice.pdf"
    [InlineData("re\u00ADport.pdf", false)]  // a soft hyphen, as invisible
    [InlineData("a\u2060b.txt", false)]      // a word joiner
    [InlineData("invoice\U000E0041.pdf", false)] // a tag character: a format character beyond the BMP (two surrogates)
    [InlineData("a\U0001D173b.txt", false)]  // a musical format character, as invisible
    [InlineData("\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F.png", true)] // a subdivision flag keeps its tags
    [InlineData("\u0645\u06CC\u200C\u062E\u0648\u0627\u0645.txt", true)] // Persian spelling needs the zero-width non-joiner
    [InlineData("family \U0001F468\u200D\U0001F469.png", true)]
    [InlineData("", false)]
    public void NamesAreCheckedNotRewritten(string name, bool valid)
    {
        Assert.Equal(valid, UploadNames.IsValid(name, 200, out var reason));
        Assert.Equal(valid, reason is null);
    }

    [Fact]
    public void ANameWithALoneSurrogateIsRefused() // built in code: a test attribute cannot carry one
        => Assert.False(UploadNames.IsValid("bad" + (char)0xD800 + ".txt", 200, out _));

    [Fact]
    public async Task SampleWebStoresUploadsUnderItsConfiguredRoot()
    {
        using var temp = new TempDirectory();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("Streaming:Uploads:Root", temp.Path));
        using var client = factory.CreateClient();

        using var put = await client.PutAsync("/uploads/sample.txt", new StringContent("hello"));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal("hello", await File.ReadAllTextAsync(temp["sample.txt"]));

        using var form = new MultipartFormDataContent { { new StringContent("x"), "note" }, { new ByteArrayContent([1, 2]), "f", "form.bin" } };
        using var post = await client.PostAsync("/uploads", form);
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.True(File.Exists(temp["form.bin"]));

        using var create = new HttpRequestMessage(HttpMethod.Post, "/uploads/resumable/resumed.bin") { Content = new ByteArrayContent([1, 2, 3]) };
        create.Headers.Add("Upload-Complete", "?1");
        using var created = await client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith("/uploads/resumable/", created.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.True(File.Exists(temp["resumed.bin"]));
    }

    private static async Task<Socket> StartSlowUploadAsync(UploadServer server, string path)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Host.BaseAddress.Host, server.Host.BaseAddress.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nabc"));
        await Eventually.AssertAsync(server.Receiving, "the slow upload did not start");
        return socket;
    }
}
