using System.Globalization;
using System.Net;
using System.Text;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Processes;
using AspNetStreaming.Tests.Uploads;

namespace AspNetStreaming.Tests.Protocols;

/// <summary>Process endpoints, CGI and generated bodies on HTTP/1.1, h2 over TLS and h2c.</summary>
[Collection(ProtocolMatrixGroup.Name)]
public sealed class ProcessesOnEveryProtocolTests(ProtocolMatrixFixture fixture)
{
    private static int s_nextId;

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task Stdout_IsStreamedAsTheResponse(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();

        using var response = await client.GetAsync("/p/seq/20000");

        Assert.Equal(protocol.VersionOf(), response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Concat(Enumerable.Range(1, 20000).Select(i => i + "\n")), await response.Content.ReadAsStringAsync());
    }

    /// <remarks>HTTP/2 only: HttpClient sends an HTTP/1.1 request body whole before it reads the response; the
    /// HTTP/1.1 case is <c>ProcessStreamingTests.CatEchoes256Mebibytes…</c> with a raw socket client.</remarks>
    [Theory]
    [MemberData(nameof(TestProtocols.Http2), MemberType = typeof(TestProtocols))]
    public async Task FullDuplex_TheEchoComesBackWhileTheBodyIsStillBeingSent(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();
        var data = UploadServer.RandomBytes(16 << 20, seed: 31);
        var echoed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stuck = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/p/cat") { Content = new HalfThenRestContent(data, echoed.Task) };

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stuck.Token);
        await using var body = await response.Content.ReadAsStreamAsync(stuck.Token);
        var received = new byte[data.Length];
        var total = 0;
        int read;
        while ((read = await body.ReadAsync(received.AsMemory(total), stuck.Token)) > 0)
        {
            total += read;
            if (total >= data.Length / 2)
            {
                echoed.TrySetResult(); // the first half came back before the second was sent: duplex
            }
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(data.Length, total);
        Assert.Equal(data, received);
    }

    /// <summary>Sends the first half of the body, then waits for <paramref name="echoed"/> before the rest.</summary>
    private sealed class HalfThenRestContent(byte[] data, Task echoed) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(data.AsMemory(0, data.Length / 2));
            await stream.FlushAsync();
            await echoed;
            await stream.WriteAsync(data.AsMemory(data.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = data.Length;
            return true;
        }
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task Pipeline_WithoutAShell(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();

        using var response = await client.PostAsync("/p/upper-count", new StringContent("hello pipeline\n"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("15", (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task AClientThatLeavesMidBody_GetsTheProcessKilled(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();
        var id = Interlocked.Increment(ref s_nextId);
        using var cancel = new CancellationTokenSource();

        using (var response = await client.GetAsync($"/p/forever/{id}", HttpCompletionOption.ResponseHeadersRead, cancel.Token))
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancel.Token);
            var buffer = new byte[64 * 1024];
            for (var received = 0; received < 1 << 20;)
            {
                received += await body.ReadAsync(buffer, cancel.Token);
            }

            // On HTTP/2 this resets the stream (RST_STREAM) and leaves the connection up; on HTTP/1.1 it closes it.
            await cancel.CancelAsync();
        }

        var pid = (await ProcessTestSupport.ReadPidsAsync(fixture.PidFile(id), 1, TimeSpan.FromSeconds(10))).Single();
        Assert.True(await ProcessTestSupport.WaitDeadAsync([pid], TimeSpan.FromSeconds(10)), $"process {pid} outlived its client");
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task Cgi_SeesTheProtocol_AndEchoesTheBody(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();
        var data = UploadServer.RandomBytes(200_000, seed: 32);

        using var response = await client.PostAsync("/cgi-bin/echo.cgi", new ByteArrayContent(data));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(protocol.ServerProtocolName(), response.Headers.GetValues("X-Protocol").Single());
        Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task Cgi_ABodyWithoutALength_IsSpooled(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();
        var data = Encoding.ASCII.GetBytes("no length was announced for this body");
        var content = new StreamContent(new UnknownLengthStream(data));

        using var response = await client.PostAsync("/cgi-bin/echo.cgi", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]
    public async Task GeneratedBody_OfUnknownLength(TestProtocol protocol)
    {
        using var client = fixture.Host(protocol).CreateClient();

        using var response = await client.GetAsync("/gen", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.Equal(ProtocolMatrixFixture.GeneratedText(), await response.Content.ReadAsStringAsync());
        Assert.Equal(!protocol.IsHttp2(), response.Headers.TransferEncodingChunked == true);
    }

    /// <summary>A body whose length the client cannot know in advance (chunked on HTTP/1.1, no length on HTTP/2).</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }
}
