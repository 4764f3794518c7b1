using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AspNetStreaming.Diagnostics;
using AspNetStreaming.Transport.Informational;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>104 Upload Resumption Supported (draft-ietf-httpbis-resumable-upload-05 §4.2), written on the wire
/// before the creation request's body is read, and only where it is allowed.</summary>
public sealed class UploadResumptionSupportedTests
{
    [Fact]
    public async Task CreationSends104WithTheLocationBeforeTheBody_SoACutOffCreationCanResume()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        var data = UploadServer.RandomBytes(2_000_000);

        // Headers only: the 104 must come before any body byte is sent.
        using var socket = await ConnectAsync(server);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /r/c.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: {data.Length}\r\nUpload-Draft-Interop-Version: 6\r\nUpload-Complete: ?1\r\n\r\n"));
        var interim = await ReadHeadAsync(socket);
        Assert.StartsWith("HTTP/1.1 104 Upload Resumption Supported\r\n", interim, StringComparison.Ordinal);
        var location = HeaderOf(interim, "Location");
        Assert.StartsWith("/r/", location, StringComparison.Ordinal);
        Assert.Equal("6", HeaderOf(interim, "Upload-Draft-Interop-Version"));
        Assert.True(server.Host.Logs.Contains(StreamingEventIds.ResumptionSupportedSent.Id));

        // The connection dies after 600 kB; the client still knows where the upload is.
        await socket.SendAsync(data.AsMemory(0, 600_000));
        await Eventually.AssertAsync(() => server.BytesOnDisk(location) > 0, "no byte of the creation reached the disk before the abort");
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
        await server.WaitUntilLoggedAsync(() => server.Host.Logs.Contains(StreamingEventIds.ResumableAppended.Id), "the interrupted creation was logged");

        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, location));
        Assert.Equal(HttpStatusCode.NoContent, head.StatusCode);
        var offset = long.Parse(head.Headers.GetValues("Upload-Offset").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(offset, 1, 600_000);

        using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(data, (int)offset, data.Length - (int)offset) };
        patch.Content.Headers.ContentType = new("application/partial-upload");
        patch.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        patch.Headers.Add("Upload-Complete", "?1");
        using var done = await server.Client.SendAsync(patch);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        Assert.Equal(data, await File.ReadAllBytesAsync(temp["c.bin"]));
    }

    [Theory]
    [InlineData("HTTP/1.1", "6", true, "201")]   // the connection was not set up for interim responses
    [InlineData("HTTP/1.1", "4", false, "201")]  // an interop version we do not implement
    [InlineData("HTTP/1.1", "5", false, "104")]  // draft-03 (tus-js-client's ietf-draft-03) has 104 too
    [InlineData("HTTP/1.1", null, false, "201")] // not a resumable-upload client
    [InlineData("HTTP/1.0", "6", false, "201")]  // HTTP/1.0 has no 1xx (RFC 9110 §15.2)
    [InlineData("HTTP/1.1", "6", false, "104")]  // the control: all conditions met
    public async Task The104IsSentOnlyWhereAllowed(string version, string? interop, bool withoutFeature, string firstStatus)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, informationalResponses: !withoutFeature);
        using var socket = await ConnectAsync(server);
        var interopHeader = interop is null ? "" : $"Upload-Draft-Interop-Version: {interop}\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /r/v.bin {version}\r\nHost: localhost\r\nContent-Length: 3\r\n{interopHeader}Upload-Complete: ?1\r\n\r\nabc"));

        var first = await ReadHeadAsync(socket);

        Assert.StartsWith("HTTP/1.1 " + firstStatus, first, StringComparison.Ordinal);
        if (firstStatus == "104")
        {
            Assert.StartsWith("HTTP/1.1 201", await ReadHeadAsync(socket), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("X-Forwarded-For: 10.0.0.1\r\n", true, "201")] // nginx as Microsoft's docs set it up
    [InlineData("Forwarded: for=10.0.0.1\r\n", true, "201")]
    [InlineData("Via: 1.1 proxy\r\n", true, "201")]
    [InlineData("", false, "201")]                              // turned off (a proxy that says nothing of itself)
    [InlineData("", true, "104")]                               // the control
    public async Task The104IsNotSentThroughAProxy_WhichMayTakeItForTheFinalAnswer_NorWhenTurnedOff(string proxyHeader, bool enabled, string firstStatus)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path, new() { ["Resumable:SendResumptionSupported"] = enabled ? "true" : "false" });
        using var socket = await ConnectAsync(server);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST /r/p.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nUpload-Draft-Interop-Version: 6\r\n{proxyHeader}Upload-Complete: ?1\r\n\r\nabc"));

        Assert.StartsWith("HTTP/1.1 " + firstStatus, await ReadHeadAsync(socket), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyHandlerCanSendEarlyHints_AndALineBreakInAValueIsRefusedWithNothingWritten()
    {
        await using var host = await KestrelHost.StartAsync(app => app.MapGet("/hints", async (HttpContext context) =>
        {
            var refused = false;
            try
            {
                await context.TrySendInformationalResponseAsync(103, "Early Hints", [new("Link", "</a.css>\r\nX-Forged: 1")]);
            }
            catch (ArgumentException)
            {
                refused = true;
            }

            var sent = await context.TrySendInformationalResponseAsync(103, "Early Hints", [new("Link", "</a.css>; rel=preload")]);
            return Results.Text($"refused={refused} sent={sent}");
        }), builder => builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.UseInformationalResponses())));
        using var socket = await ConnectAsync(host);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /hints HTTP/1.1\r\nHost: localhost\r\n\r\n"));

        var interim = await ReadHeadAsync(socket);
        var final = await ReadHeadAsync(socket);

        Assert.Equal("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n", interim);
        Assert.StartsWith("HTTP/1.1 200", final, StringComparison.Ordinal);
        var body = new byte[64];
        var read = await socket.ReceiveAsync(body);
        Assert.Equal("refused=True sent=True", Encoding.ASCII.GetString(body, 0, read));
    }

    private static Task<Socket> ConnectAsync(UploadServer server) => ConnectAsync(server.Host);

    private static async Task<Socket> ConnectAsync(KestrelHost host)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        await socket.ConnectAsync(host.BaseAddress.Host, host.BaseAddress.Port);
        return socket;
    }

    // Reads one response head (through the blank line), a byte at a time so nothing after it is consumed.
    private static async Task<string> ReadHeadAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(one, timeout.Token) == 0)
            {
                throw new IOException($"The connection closed after: {head}");
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    private static string HeaderOf(string head, string name)
        => head.Split("\r\n").Single(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))[(name.Length + 1)..].Trim();
}
