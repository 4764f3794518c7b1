using System.Net;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Uploads;

namespace AspNetStreaming.Tests.Sample;

/// <summary>sample-web (a real process) as it is deployed: behind a real nginx set up as Microsoft's docs say, and
/// under a path base. nginx takes a 1xx from the app for the final answer: it passed the draft's 104 on and then waited
/// for the app to close the connection, so a draft client's creation got no 201 (an empty reply after
/// proxy_read_timeout), though the upload was made. Under a path base the page's links were root-absolute.</summary>
public sealed class SampleWebDeployedTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ADraftCreationThroughNginx_GetsItsCreated_AndTheUploadCompletesThroughIt()
    {
        await using var app = await SampleWebProcess.StartAsync(["Streaming:DefaultUrls=http://127.0.0.1:0", $"Streaming:Uploads:Root={_temp["uploads"]}"]);
        using var nginx = await NginxProxy.StartAsync(app.Http, _temp["nginx"], readTimeout: TimeSpan.FromSeconds(10));
        using var client = new HttpClient { BaseAddress = nginx.Address, Timeout = TimeSpan.FromSeconds(30) };
        var data = UploadServer.RandomBytes(2000, seed: 4);

        // An interop version, as tus-js-client's ietf-draft protocols name one: the request that got the 104.
        using var create = new HttpRequestMessage(HttpMethod.Post, "/uploads/resumable/through-nginx.bin") { Content = new ByteArrayContent(data[..1000]) };
        create.Headers.Add("Upload-Complete", "?0");
        create.Headers.Add("Upload-Length", "2000");
        create.Headers.Add("Upload-Draft-Interop-Version", "6");
        using var created = await client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var append = ResumableRequests.Patch(created.Headers.Location!.OriginalString, 1000, complete: true, data[1000..]);
        using var completed = await client.SendAsync(append);
        Assert.True(completed.IsSuccessStatusCode, $"the completing append: {(int)completed.StatusCode}");
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Join(_temp["uploads"], "through-nginx.bin")));
    }

    [Fact]
    public async Task ACgiScriptThatAnswersBeforeReadingItsBody_GetsItWholeThroughNginx_WithBodiesSpooled()
    {
        // nginx stops passing the body on once the response has started: streamed into the script, whose head comes
        // first, 200 MB stalled until the idle timeout (and 32-50 MB often did). Spooled, the body is all read before
        // the script starts.
        await using var app = await SampleWebProcess.StartAsync(["Streaming:DefaultUrls=http://127.0.0.1:0", $"Streaming:Uploads:Root={_temp["uploads"]}",
            "Streaming:Cgi:SpoolRequestBodies=true", $"Streaming:Cgi:SpoolDirectory={Directory.CreateDirectory(_temp["spool"]).FullName}"]);
        using var nginx = await NginxProxy.StartAsync(app.Http, _temp["nginx"], readTimeout: TimeSpan.FromSeconds(20));
        using var client = new HttpClient { BaseAddress = nginx.Address, Timeout = TimeSpan.FromSeconds(60) };
        var body = new byte[200_000_000];
        new Random(5).NextBytes(body);

        using var response = await client.PostAsync("/cgi-bin/hello.cgi", new ByteArrayContent(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("body_bytes=200000000", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp["spool"]));
    }

    [Fact]
    public async Task UnderAPathBase_ThePageItsLinksAndItsUploadsStayUnderIt()
    {
        await using var app = await SampleWebProcess.StartAsync(["Streaming:DefaultUrls=http://127.0.0.1:0", "Streaming:PathBase=/app",
            $"Streaming:Uploads:Root={_temp["uploads"]}"]);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.Http };

        using var bare = await client.GetAsync("/app");
        Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
        Assert.Equal("/app/", bare.Headers.Location!.OriginalString);
        using var pageRequest = new HttpRequestMessage(HttpMethod.Get, "/app/");
        pageRequest.Headers.Accept.ParseAdd("text/html");
        using var page = await client.SendAsync(pageRequest);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("src=\"page/app.js\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("=\"/", html, StringComparison.Ordinal); // no link that leaves the base
        Assert.DoesNotContain("('/", await client.GetStringAsync("/app/page/app.js"), StringComparison.Ordinal);

        // The listing's links resolve, against the page, to files the app serves under the base.
        var listing = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/app/api/files"));
        var first = listing.RootElement.GetProperty("demo")[0].GetProperty("url").GetString()!;
        using var file = await client.GetAsync(new Uri(new Uri(app.Http, "/app/"), first));
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);

        using var create = ResumableRequests.Tus(HttpMethod.Post, "/app/uploads/tus").WithLength(3);
        create.Headers.Add("Upload-Metadata", $"filename {Convert.ToBase64String("based.txt"u8)}");
        using var created = await client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith("/app/uploads/tus/", created.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }
}
