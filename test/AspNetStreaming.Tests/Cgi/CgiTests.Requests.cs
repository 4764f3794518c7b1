using System.Net;
using Microsoft.AspNetCore.Builder;

namespace AspNetStreaming.Tests.Cgi;

// The request side of the CGI rules: bodies (streamed, spooled, over the limit), the output limit within the head,
// the script's name and path info (confinement, encoded slashes) and the authenticated user.
public sealed partial class CgiTests
{
    [Fact]
    public async Task ChunkedBodyIsSpooledWithContentLengthAndTheSpoolIsRemoved()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        var payload = new byte[300_000];
        new Random(3).NextBytes(payload);
        var content = new StreamContent(new NonSeekableStream(payload));
        using var request = new HttpRequestMessage(HttpMethod.Post, "cgi-bin/test.cgi/echo") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("300000", response.Headers.GetValues("X-Content-Length").Single());
        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync());
        Assert.Empty(Directory.GetFiles(_temp["spool"]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ABodyOverMaxRequestBodySizeIs413ProblemDetails_WithOrWithoutALength(bool chunked)
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["MaxRequestBodySize"] = "1000" });
        using var client = host.CreateClient();
        // Small enough to sit in the socket buffers whole: the server answers before reading it all, and a client still
        // writing a large body would get a broken pipe instead of the answer.
        var content = chunked ? (HttpContent)new StreamContent(new NonSeekableStream(new byte[5_000])) : new ByteArrayContent(new byte[5_000]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "cgi-bin/test.cgi/echo") { Content = content };
        request.Headers.TransferEncodingChunked = chunked;

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(Directory.GetFiles(_temp["spool"]));
    }

    [Fact]
    public async Task OutputOverMaxOutputBytesWithinTheHeadIs502()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["MaxOutputBytes"] = "10" });
        using var client = host.CreateClient();

        using var response = await client.GetAsync("cgi-bin/test.cgi/status");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task BodyWithLengthStreamsStraightIn()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        var payload = new byte[2_000_000];
        new Random(4).NextBytes(payload);
        using var response = await client.PostAsync("cgi-bin/test.cgi/echo", new ByteArrayContent(payload));
        Assert.Equal("2000000", response.Headers.GetValues("X-Content-Length").Single());
        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("cgi-bin/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("cgi-bin/%2E%2E/outside/evil.cgi")]
    [InlineData("cgi-bin/.hidden.cgi")]
    [InlineData("cgi-bin/link.cgi")]
    [InlineData("cgi-bin/plain.txt")]
    [InlineData("cgi-bin/dir")]
    [InlineData("cgi-bin/missing.cgi")]
    [InlineData("cgi-bin/")]
    public async Task UnsafeOrMissingScriptsAre404(string path)
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task TheUserTheAppAuthenticatedIsRemoteUser_WithItsAuthType()
    {
        await using var host = await StartAsync(before: app => app.Use((context, next) =>
        {
            context.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, "alice")], "Basic"));
            return next(context);
        }));
        using var client = host.CreateClient();

        var vars = ParseEnv(await client.GetStringAsync("cgi-bin/test.cgi/env"));

        Assert.Equal("alice", vars["REMOTE_USER"]);
        Assert.Equal("Basic", vars["AUTH_TYPE"]);
    }

    [Theory]
    [InlineData("cgi-bin/test.cgi/env/a%2Fb")]
    [InlineData("cgi-bin/test.cgi/env/a%2fb")]
    public async Task AnEncodedSlashIs404_PathInfoCouldNotTellItFromALiteralOne(string path)
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(host.Logs.Entries, entry => entry.EventId.Id == 2002);
        Assert.Equal("unknown /a%2Fb", await client.GetStringAsync("cgi-bin/test.cgi/a%252Fb")); // a literal %2F is passed on
    }

    [Fact]
    public async Task TheBarePrefixIsAPlain404_NotLoggedAsARefusal()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        using var response = await client.GetAsync("cgi-bin/");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(host.Logs.Entries, entry => entry.EventId.Id == 2002);
    }

    [Fact]
    public async Task ANameThatTriesToLeaveTheRootIsLoggedAsARefusal()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        using var response = await client.GetAsync("cgi-bin/..%2F..%2Fetc%2Fpasswd");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(host.Logs.Entries, entry => entry.EventId.Id == 2002 && entry.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }
}
