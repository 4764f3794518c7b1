using System.Net;
using AspNetStreaming.Http;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace AspNetStreaming.Tests.Files;

/// <summary>With the framework's <c>UseResponseCompression</c> in front of <c>MapFiles</c>: a gzip body is not the
/// bytes the strong tag names, so it goes out with a weak tag and no <c>Accept-Ranges</c> (a resume with
/// <c>If-Range</c> and a range of the gzip bytes got a file that was neither); a range is answered from the identity
/// bytes with the strong tag, as before.</summary>
public sealed class ResponseCompressionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AnEncodedBodyGetsAWeakTagAndNoAcceptRanges_ARangeStaysIdentityAndStrong()
    {
        Directory.CreateDirectory(_temp["root"]);
        await File.WriteAllTextAsync(_temp["root/log.txt"], string.Concat(Enumerable.Repeat("a line of text that compresses well\n", 2000)));
        await using var host = await KestrelHost.StartAsync(app =>
        {
            app.UseResponseCompression();
            app.MapFiles("/files", new FileServingOptions { Root = _temp["root"] });
        }, builder => builder.Services.AddResponseCompression());
        using var client = host.CreateClient();

        using var whole = new HttpRequestMessage(HttpMethod.Get, "files/log.txt");
        whole.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        using var encoded = await client.SendAsync(whole);
        using var range = new HttpRequestMessage(HttpMethod.Get, "files/log.txt");
        range.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        range.Headers.TryAddWithoutValidation("Range", "bytes=0-9");
        using var partial = await client.SendAsync(range);

        Assert.Equal("gzip", Assert.Single(encoded.Content.Headers.ContentEncoding));
        Assert.True(encoded.Headers.ETag!.IsWeak, "an encoded body kept the strong tag");
        Assert.Empty(encoded.Headers.AcceptRanges);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Empty(partial.Content.Headers.ContentEncoding);
        Assert.False(partial.Headers.ETag!.IsWeak);
        Assert.Equal(encoded.Headers.ETag.Tag, partial.Headers.ETag.Tag); // the same representation's tag, weakened
    }

    // A stream of unknown length (no ranges to offer) is still a representation with a download name and a tag.
    [Fact]
    public async Task AStreamOfUnknownLength_KeepsItsDownloadName_AndItsTagIsWeakenedWhenEncoded()
    {
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("compressible text ", 5000)));
        await using var host = await KestrelHost.StartAsync(app =>
        {
            app.UseResponseCompression();
            app.MapGet("/report", () => StreamingResults.Stream(new OneWayStream(text), "text/plain", fileDownloadName: "report.csv",
                entityTag: new EntityTagHeaderValue("\"v1\"")));
        }, builder => builder.Services.AddResponseCompression());
        using var client = host.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "report");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        using var response = await client.SendAsync(request);

        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Equal("report.csv", response.Content.Headers.ContentDisposition?.FileName);
        Assert.True(response.Headers.ETag!.IsWeak, "an encoded body kept the strong tag");
    }

    private sealed class OneWayStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}
