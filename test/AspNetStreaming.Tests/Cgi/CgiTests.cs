using System.Net;
using System.Text;
using AspNetStreaming.Cgi;
using AspNetStreaming.Processes;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Processes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AspNetStreaming.Tests.Cgi;

/// <summary>The CGI/1.1 rules one by one, with a small bash script as the CGI program.</summary>
public sealed partial class CgiTests : IDisposable
{
    private const string Script = """
        #!/bin/bash
        case "$PATH_INFO" in
          /env) printf 'Content-Type: text/plain\n\n'; env | sort ;;
          /status) printf 'Status: 418 I am a teapot\nContent-Type: text/plain\nX-Extra: yes\nContent-Length: 6\n\nteapot' ;;
          /short) printf 'Content-Type: text/plain\nContent-Length: 100\n\nshort' ;;
          /badlength) printf 'Content-Type: text/plain\nContent-Length: lots\n\nbody' ;;
          /local) printf 'Location: /cgi-bin/test.cgi/target?from=local\n\n' ;;
          /loop) printf 'Location: /cgi-bin/test.cgi/loop\n\n' ;;
          /target) printf 'Content-Type: text/plain\n\ntarget %s %s' "$REQUEST_METHOD" "$QUERY_STRING" ;;
          /url) printf 'Location: http://example.com/x\n\n' ;;
          /url-status) printf 'Status: 301 Moved Permanently\nLocation: http://example.com/y\n\n' ;;
          /malformed) printf 'this is not a header\n\nbody' ;;
          /noblank) printf 'Content-Type: text/plain\n' ;;
          /nothing) printf 'X-Only: 1\n\nbody' ;;
          /badstatus) printf 'Status: abc\n\n' ;;
          /huge) printf 'Content-Type: text/plain\n'; for i in $(seq 1 5000); do printf 'X-Filler-%d: 0123456789012345678901234567890123456789\n' $i; done; printf '\nbody' ;;
          /crlf) printf 'Content-Type: text/plain\r\nStatus: 201 Created\r\n\r\nbody' ;;
          /echo) printf 'Content-Type: application/octet-stream\nX-Content-Length: %s\n\n' "$CONTENT_LENGTH"; head -c "$CONTENT_LENGTH" ;;
          /stderr) echo "secret on stderr" >&2; printf 'Content-Type: text/plain\n\nok' ;;
          /fail) exit 2 ;;
          /nonascii) printf 'Content-Type: text/plain\nX-Name: caf\303\251\n\nbody' ;;
          /del) printf 'Content-Type: text/plain\nX-Name: a\177b\n\nbody' ;;
          /headthenfail) printf 'Content-Type: text/plain\n\n'; exit 1 ;;
          *) printf 'Content-Type: text/plain\n\nunknown %s' "$PATH_INFO" ;;
        esac
        """;

    private readonly TempDirectory _temp = new();

    public CgiTests()
    {
        Directory.CreateDirectory(_temp["scripts"]);
        Directory.CreateDirectory(_temp["spool"]);
        WriteScript("test.cgi", Script);
        WriteScript(".hidden.cgi", Script);
        File.WriteAllText(_temp["scripts/plain.txt"], "not executable");
        Directory.CreateDirectory(_temp["scripts/dir"]);
        Directory.CreateDirectory(_temp["outside"]);
        WriteScriptAt(_temp["outside/evil.cgi"], Script);
        File.CreateSymbolicLink(_temp["scripts/link.cgi"], _temp["outside/evil.cgi"]);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task MetaVariablesFollowRfc3875()
    {
        await using var host = await StartAsync();
        using var connection = await RawConnection.OpenAsync(host.BaseAddress,
            "GET /cgi-bin/test.cgi/env?a=1&b=%20x HTTP/1.1\nHost: " + host.BaseAddress.Authority + "\nX-Custom: a\nX-Custom: b\nCookie: c=1\nCookie: d=2\n"
            + "Proxy: http://evil.example\nAuthorization: Basic c2VjcmV0\nUser-Agent: test-agent\nConnection: close\n\n");
        var response = await connection.ReadUntilAsync("\0", TimeSpan.FromSeconds(10));
        Assert.StartsWith("HTTP/1.1 200 OK", response, StringComparison.Ordinal);
        var env = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        var vars = ParseEnv(DecodeChunked(env));
        Assert.Equal("CGI/1.1", vars["GATEWAY_INTERFACE"]);
        Assert.Equal("AspNetStreaming", vars["SERVER_SOFTWARE"]);
        Assert.Equal("127.0.0.1", vars["SERVER_NAME"]);
        Assert.Equal(host.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), vars["SERVER_PORT"]);
        Assert.Equal("HTTP/1.1", vars["SERVER_PROTOCOL"]);
        Assert.Equal("GET", vars["REQUEST_METHOD"]);
        Assert.Equal("a=1&b=%20x", vars["QUERY_STRING"]);
        Assert.Equal("/cgi-bin/test.cgi", vars["SCRIPT_NAME"]);
        Assert.Equal("/env", vars["PATH_INFO"]);
        Assert.Equal(Path.Combine(new DirectoryInfo(_temp["scripts"]).ResolveLinkTarget(true)?.FullName ?? _temp["scripts"], "test.cgi"), vars["SCRIPT_FILENAME"]);
        Assert.Equal("/cgi-bin/test.cgi/env?a=1&b=%20x", vars["REQUEST_URI"]);
        Assert.Equal("127.0.0.1", vars["REMOTE_ADDR"]);
        Assert.Equal("127.0.0.1", vars["REMOTE_HOST"]); // RFC 3875 4.1.9: the address when no name is looked up
        Assert.False(vars.ContainsKey("AUTH_TYPE") || vars.ContainsKey("REMOTE_USER"), "no user was authenticated");
        Assert.True(int.Parse(vars["REMOTE_PORT"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("a, b", vars["HTTP_X_CUSTOM"]);
        Assert.Equal("c=1; d=2", vars["HTTP_COOKIE"]);
        Assert.Equal("test-agent", vars["HTTP_USER_AGENT"]);
        Assert.Equal(host.BaseAddress.Authority, vars["HTTP_HOST"]);
        Assert.False(vars.ContainsKey("HTTP_PROXY"), "httpoxy: the Proxy header must not become HTTP_PROXY");
        Assert.False(vars.ContainsKey("HTTP_AUTHORIZATION"));
        Assert.False(vars.ContainsKey("CONTENT_LENGTH"));
        Assert.False(vars.ContainsKey("CONTENT_TYPE"));
        Assert.False(vars.ContainsKey("HTTPS"));
        Assert.False(vars.ContainsKey("HOME"), "nothing from the host environment leaks");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UnderAPathBase_RequestUriAgreesWithScriptName_WhetherTheProxyStrippedThePrefixOrNot(bool stripped)
    {
        // A proxy that strips /app and says so in X-Forwarded-Prefix, or one that keeps it for UsePathBase.
        await using var host = await StartAsync(before: app =>
        {
            if (stripped)
            {
                app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedPrefix });
            }
            else
            {
                app.UsePathBase("/app");
            }

            app.UseRouting();
        });
        using var connection = await RawConnection.OpenAsync(host.BaseAddress,
            $"GET {(stripped ? "" : "/app")}/cgi-bin/test.cgi/env?a=%20x HTTP/1.1\nHost: {host.BaseAddress.Authority}\nX-Forwarded-Prefix: /app\nConnection: close\n\n");
        var response = await connection.ReadUntilAsync("\0", TimeSpan.FromSeconds(10));
        Assert.StartsWith("HTTP/1.1 200 OK", response, StringComparison.Ordinal);
        var vars = ParseEnv(DecodeChunked(response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]));
        Assert.Equal("/app/cgi-bin/test.cgi", vars["SCRIPT_NAME"]);
        Assert.Equal("/app/cgi-bin/test.cgi/env?a=%20x", vars["REQUEST_URI"]);
    }

    [Fact]
    public async Task QueryStringIsEmptyWhenAbsentAndBodyVariablesAreSetWithABody()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        var get = ParseEnv(await client.GetStringAsync("cgi-bin/test.cgi/env"));
        Assert.Equal(string.Empty, get["QUERY_STRING"]);
        using var post = await client.PostAsync("cgi-bin/test.cgi/env", new StringContent("hello", Encoding.UTF8, "text/x-test"));
        var vars = ParseEnv(await post.Content.ReadAsStringAsync());
        Assert.Equal("5", vars["CONTENT_LENGTH"]);
        Assert.Equal("text/x-test; charset=utf-8", vars["CONTENT_TYPE"]);
        Assert.Equal("POST", vars["REQUEST_METHOD"]);
    }

    [Fact]
    public async Task StatusAndOtherHeadersAreApplied()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        using var response = await client.GetAsync("cgi-bin/test.cgi/status");
        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal("yes", response.Headers.GetValues("X-Extra").Single());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("teapot", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AScriptsContentLengthFramesTheResponse_AndABodyShortOfItIsCutOff_NotEndedCleanly()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();

        var cut = await Assert.ThrowsAnyAsync<Exception>(() => client.GetStringAsync("cgi-bin/test.cgi/short"));

        Assert.True(cut is HttpRequestException or IOException, cut.ToString());
    }

    [Fact]
    public async Task CrlfHeaderBlocksAreAccepted()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        using var response = await client.GetAsync("cgi-bin/test.cgi/crlf");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("body", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task LocalLocationIsAnInternalRedirectAsGet()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        using var response = await client.PostAsync("cgi-bin/test.cgi/local", new StringContent("body"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("target GET from=local", await response.Content.ReadAsStringAsync());
        Assert.True(host.Logs.Contains(3103));
    }

    [Fact]
    public async Task InternalRedirectLoopsEndIn502()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        using var response = await client.GetAsync("cgi-bin/test.cgi/loop");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task UrlLocationIsA302UnlessStatusIsGiven()
    {
        await using var host = await StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };
        using var found = await client.GetAsync("cgi-bin/test.cgi/url");
        Assert.Equal(HttpStatusCode.Found, found.StatusCode);
        Assert.Equal(new Uri("http://example.com/x"), found.Headers.Location);
        using var moved = await client.GetAsync("cgi-bin/test.cgi/url-status");
        Assert.Equal(HttpStatusCode.MovedPermanently, moved.StatusCode);
        Assert.Equal(new Uri("http://example.com/y"), moved.Headers.Location);
    }

    [Theory]
    [InlineData("malformed")]
    [InlineData("noblank")]
    [InlineData("nothing")]
    [InlineData("badstatus")]
    [InlineData("badlength")]
    [InlineData("huge")]
    [InlineData("fail")]
    [InlineData("nonascii")] // Kestrel refuses such a value: before, the exception writing it made a bare 500
    [InlineData("del")]
    [InlineData("headthenfail")] // a valid head, then exit 1 at once: was a 500 with no detail
    public async Task MalformedOutputIs502(string path)
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        using var response = await client.GetAsync("cgi-bin/test.cgi/" + path);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task StderrGoesToTheLogOnly()
    {
        await using var host = await StartAsync();
        using var client = host.CreateClient();
        Assert.Equal("ok", await client.GetStringAsync("cgi-bin/test.cgi/stderr"));
        // stderr is drained on its own and may be logged just after the response.
        await Eventually.AssertAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == 3006 && e.Message.Contains("secret on stderr", StringComparison.Ordinal)), "the stderr line was logged");
    }

    [Fact]
    public async Task StderrStaysOutOfTheResponseEvenWhenProcessesMergeIt()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["MergeStandardError"] = "true" });
        using var client = host.CreateClient();
        Assert.Equal("ok", await client.GetStringAsync("cgi-bin/test.cgi/stderr"));
        await Eventually.AssertAsync(() => host.Logs.Entries.Any(e => e.EventId.Id == 3006 && e.Message.Contains("secret on stderr", StringComparison.Ordinal)), "the stderr line was logged");
    }

    private static Dictionary<string, string> ParseEnv(string text)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                vars[line[..eq]] = line[(eq + 1)..];
            }
        }

        return vars;
    }

    private static string DecodeChunked(string body)
    {
        var result = new StringBuilder();
        var position = 0;
        while (true)
        {
            var lineEnd = body.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = Convert.ToInt32(body[position..lineEnd], 16);
            if (size == 0)
            {
                return result.ToString();
            }

            result.Append(body, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }

    private void WriteScript(string name, string text) => WriteScriptAt(Path.Combine(_temp["scripts"], name), text);

    private static void WriteScriptAt(string path, string text)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private Task<KestrelHost> StartAsync(IDictionary<string, string?>? processSettings = null, Action<WebApplication>? before = null)
        => KestrelHost.StartAsync(app =>
        {
            before?.Invoke(app);
            app.MapCgi("/cgi-bin", _temp["scripts"], o => o.SpoolDirectory = _temp["spool"]);
        }, builder =>
        {
            var empty = new ConfigurationBuilder().Build();
            builder.Services.AddStreamingProcesses(new ConfigurationBuilder().AddInMemoryCollection(processSettings ?? new Dictionary<string, string?>()).Build());
            builder.Services.AddStreamingCgi(empty);
            builder.Services.AddRouting();
        });

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
