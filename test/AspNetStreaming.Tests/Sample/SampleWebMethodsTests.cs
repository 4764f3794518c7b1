using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AspNetStreaming.Tests.Sample;

/// <summary>sample-web's URL space as HTTP has it: HEAD wherever GET answers, one URL with two representations says so
/// (Vary), and a URL a protocol owns (the tus and resumable collections) refuses the methods it does not take instead of
/// letting the raw upload's <c>/uploads/{name}</c> store a file of that name.</summary>
public sealed class SampleWebMethodsTests : IClassFixture<SampleWebMethodsTests.Sample>
{
    private readonly HttpClient _client;
    private readonly Sample _sample;

    public SampleWebMethodsTests(Sample sample) => (_client, _sample) = (sample.Client, sample);

    /// <summary>One sample-web for the class, its uploads in a folder of its own (what a refused PUT must not create).</summary>
    public sealed class Sample : IDisposable
    {
        private readonly WebApplicationFactory<Program> _factory;

        public Sample()
        {
            _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("Streaming:Uploads:Root", Uploads.Path));
            Client = _factory.CreateClient();
        }

        public Infrastructure.TempDirectory Uploads { get; } = new();

        public HttpClient Client { get; }

        public void Dispose()
        {
            Client.Dispose();
            _factory.Dispose();
            Uploads.Dispose();
        }
    }

    [Theory]
    [InlineData("/uploads/tus", "OPTIONS, POST")]
    [InlineData("/uploads/resumable", "OPTIONS")]
    public async Task APutOnAProtocolsCollection_Is405WithItsAllow_AndStoresNothing(string url, string allow)
    {
        using var put = await _client.PutAsync(url, new StringContent("oops"));
        using var get = await _client.GetAsync(url);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
        Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
        Assert.Equal(allow, string.Join(", ", put.Content.Headers.Allow));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Empty(Directory.GetFiles(_sample.Uploads.Path));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/files")]
    [InlineData("/api/stats")]
    [InlineData("/generated?count=3")]
    public async Task HeadAnswersWhereverGetDoes(string url)
    {
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        using var get = await _client.GetAsync(url);

        // (Kestrel drops what a handler writes for a HEAD; this in-memory server does not, so the body is not checked.)
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
    }

    [Fact]
    public async Task ThePageAndTheListOfEndpoints_VaryOnAccept()
    {
        using var html = new HttpRequestMessage(HttpMethod.Get, "/");
        html.Headers.Accept.ParseAdd("text/html");
        using var page = await _client.SendAsync(html);
        using var text = await _client.GetAsync("/");

        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/plain", text.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept", page.Headers.Vary);
        Assert.Contains("Accept", text.Headers.Vary);
    }

    [Fact]
    public async Task AResumableUploadThatIsNotThere_Is404WithTheInteropVersion()
    {
        using var head = new HttpRequestMessage(HttpMethod.Head, "/uploads/resumable/" + new string('0', 32));
        head.Headers.Add("Upload-Draft-Interop-Version", "6");
        using var response = await _client.SendAsync(head);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("6", Assert.Single(response.Headers.GetValues("Upload-Draft-Interop-Version")));
    }
}
