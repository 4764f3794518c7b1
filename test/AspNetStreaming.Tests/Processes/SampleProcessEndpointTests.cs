using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AspNetStreaming.Tests.Processes;

/// <summary>sample-web's process and CGI endpoints, hosted with WebApplicationFactory.</summary>
public sealed class SampleProcessEndpointTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Sha256HashesTheBody()
    {
        using var client = factory.CreateClient();
        var body = new byte[3_000_000];
        new Random(5).NextBytes(body);
        using var response = await client.PostAsync("/run/sha256", new ByteArrayContent(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)) + "  -\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GrepCountCountsMatchingLinesWithThePatternAsOneArgument()
    {
        using var client = factory.CreateClient();
        var text = "an error\nfine\nERROR again\n-v\nnothing; rm -rf /\n";
        using var response = await client.PostAsync("/run/grep-count?pattern=error", ProcessTestSupport.Text(text));
        Assert.Equal("2", (await response.Content.ReadAsStringAsync()).Trim());
        using var dash = await client.PostAsync("/run/grep-count?pattern=-v", ProcessTestSupport.Text(text));
        Assert.Equal("1", (await dash.Content.ReadAsStringAsync()).Trim());
        using var none = await client.PostAsync("/run/grep-count?pattern=absent", ProcessTestSupport.Text(text));
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        Assert.Equal("0", (await none.Content.ReadAsStringAsync()).Trim());
        using var missing = await client.PostAsync("/run/grep-count", ProcessTestSupport.Text(text));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    [Fact]
    public async Task CgiDemoScriptRuns()
    {
        using var client = factory.CreateClient();
        using var response = await client.PostAsync("/cgi-bin/hello.cgi/extra?x=1", ProcessTestSupport.Text("12345"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("yes", response.Headers.GetValues("X-Cgi-Demo").Single());
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("Hello from CGI", text, StringComparison.Ordinal);
        Assert.Contains("path_info=/extra", text, StringComparison.Ordinal);
        Assert.Contains("query=x=1", text, StringComparison.Ordinal);
        Assert.Contains("body_bytes=5", text, StringComparison.Ordinal);
    }
}
