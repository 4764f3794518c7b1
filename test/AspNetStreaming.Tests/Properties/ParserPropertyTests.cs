using System.Text;
using AspNetStreaming.Cgi;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Uploads;
using AspNetStreaming.Uploads.Tus;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace AspNetStreaming.Tests.Properties;

/// <summary>The parsers of what clients and scripts send, over random and mutated input: a CGI script's header block,
/// the resumable and tus request fields, digest fields and structured-field booleans, and multipart/form-data bodies.
/// None throws anything but its defined error (<see cref="UploadException"/>, a null head with a reason), and a form
/// that fails leaves no temp file behind.</summary>
public sealed class ParserPropertyTests(ITestOutputHelper output)
{
    private static readonly Gen<string> CgiLine = Gen.OneOf(
        Gen.OneOf("Status: 200 OK", "Status: 404", "Status: abc", "Status: 99999999999 x", "Status:", "Content-Type: text/plain",
            "Content-type:text/html; charset=utf-8", "Location: /other", "Location: http://example.com/", "Location:", "X-Custom: value",
            "X-Dup: 1", "X-Dup: 2", ": no name", "NoColon", " folded continuation", "Set-Cookie: a=b", "Content-Length: 12",
            "Transfer-Encoding: chunked", "Connection: close", "Status: 200\rOK", "\u00ff\u00fe: bytes", ""),
        Gen.String[Gen.Char[" :abcXYZ-\t\r\u0080"], 0, 30]);

    private static readonly Gen<byte[]> CgiBlock = Gen.Select(CgiLine.Array[0, 12], Gen.OneOf("\n", "\r\n"), Gen.Byte.Array[0, 16], Gen.Bool,
        (lines, newline, noise, withNoise) => Encoding.Latin1.GetBytes(string.Join(newline, lines) + newline + newline)
            .Concat(withNoise ? noise : []).ToArray());

    [Fact]
    public void TheCgiResponseHeadParserNeverThrows()
        => PropertyRun.Check(output, "CGI response head", CgiBlock, block =>
        {
            var end = CgiResponseHead.FindEnd(block);
            Assert.InRange(end, -1, block.Length);
            var head = CgiResponseHead.Parse(end > 0 ? block.AsSpan(0, end) : block, out var error);
            Assert.True(head is not null || error is not null, "a refused head says why");
            if (head?.Status is { } status)
            {
                Assert.InRange(status, 100, 999);
            }
        }, cases: 10_000, stream: 5);

    private static readonly Gen<string> FieldValue = Gen.OneOf(
        Gen.OneOf("?1", "?0", "?", "?2", "1", "true", " ?1 ", "0", "-1", "00", "18446744073709551616", "9223372036854775807",
            "9223372036854775808", "1e3", "0x10", "+5", "1.0.0", "1.0", "partial", "final;/tus/a /tus/b", "final;", "final;http://x/tus/a",
            "sha-256=:AAAA:", "sha-256=:" + new string('A', 43) + "=:", "sha-512=10, sha-256=3", "sha-256=0", "sha-256", "md5 AAAA==",
            "sha1 2jmj7l5rSw0yVb/vlWAYkK/YBwk=", "filename aGVsbG8=,filetype", "filename %%%", "a b c", ", ,", ""),
        Gen.String[Gen.Char["?01:=;,/ aAzZ+-\t"], 0, 24]);

    private static readonly string[] Fields =
        ["Upload-Complete", "Upload-Length", "Upload-Offset", "Tus-Resumable", "Upload-Metadata", "Upload-Concat", "Upload-Checksum",
         "Content-Digest", "Repr-Digest", "Content-MD5", "Want-Repr-Digest", "Want-Content-Digest", "Upload-Draft-Interop-Version"];

    [Fact]
    public void TheUploadFieldParsersOnlyEverRefuseWithAnUploadError()
        => PropertyRun.Check(output, "Upload-*/tus/digest fields", Gen.Select(FieldValue.Array[Fields.Length], Gen.Bool.Array[Fields.Length]), input =>
        {
            var (values, present) = input;
            var request = new DefaultHttpContext().Request;
            for (var i = 0; i < Fields.Length; i++)
            {
                if (present[i])
                {
                    request.Headers[Fields[i]] = values[i];
                }
            }

            Parse(() => ResumableHeaders.ParseComplete(request));
            Parse(() => ResumableHeaders.ParseLength(request));
            Parse(() => ResumableHeaders.ParseOffset(request, required: true));
            Parse(() => TusHeaders.ParseLength(request, required: false));
            Parse(() => TusHeaders.ParseMetadata(request.Headers["Upload-Metadata"].ToString()));
            Parse(() => TusHeaders.ParseConcat(request, "/tus"));
            Parse(() =>
            {
                using var checksum = TusHeaders.ChecksumOf(request);
            });
            Parse(() =>
            {
                using var digests = UploadDigests.FromHeaders(request.Headers, DigestWants.Resolve(request.Headers, UploadDigestPolicy.WhenRequested));
            });
        }, cases: 10_000, stream: 6);

    private static void Parse(Action parse)
    {
        try
        {
            parse();
        }
        catch (UploadException)
        {
            // The defined refusal: a 4xx with a ProblemDetails body.
        }
    }

    private static readonly Gen<string> PartHeader = Gen.OneOf(
        "Content-Disposition: form-data; name=\"f\"; filename=\"a.bin\"", "Content-Disposition: form-data; name=\"title\"",
        "Content-Disposition: form-data; filename=\"nameless.bin\"", "Content-Disposition: attachment", "Content-Disposition: form-data; name=\"f\"; filename=\"../../etc/passwd\"",
        "Content-Disposition: form-data; name=\"f\"; filename*=UTF-8''%E2%82%AC.txt", "Content-Disposition: form-data; name=\"f\"; filename=\"CON\"",
        "Content-Disposition: form-data; name=\"f\"; filename=\"\"", "Content-Type: application/octet-stream", "X-Long: " + new string('x', 20_000),
        "NoColonHere", "");

    private static readonly Gen<(string Boundary, byte[] Body)> Form = Gen.Select(
        Gen.OneOf("b", "boundary123", "----WebKitFormBoundary7MA4YWxkTrZu0gW", new string('x', 71), "quoted \"b\"", "with space", ""),
        Gen.Select(PartHeader.Array[0, 3], Gen.Byte.Array[0, 300]).Array[0, 4],
        Gen.Int[0, 100], Gen.Bool, Gen.OneOf("\r\n", "\n"),
        (boundary, parts, cutPercent, cut, newline) =>
        {
            var text = new StringBuilder();
            var bytes = new List<byte>();
            foreach (var (headers, content) in parts)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes($"--{boundary}{newline}{string.Join(newline, headers)}{newline}{newline}"));
                bytes.AddRange(content);
                bytes.AddRange(Encoding.UTF8.GetBytes(newline));
            }

            bytes.AddRange(Encoding.UTF8.GetBytes($"--{boundary}--{newline}"));
            var body = bytes.ToArray();
            return (boundary, cut ? body[..(body.Length * cutPercent / 100)] : body);
        });

    [Fact]
    public async Task AMultipartFormIsStoredOrRefusedAndLeavesNoTempFile()
    {
        using var temp = new TempDirectory();
        var options = new UploadOptions { Root = temp.Path, Multipart = new() { MaxParts = 3, MaxHeaderSize = 16 * 1024, MaxFileSize = 200, MaxFieldSize = 100 } };
        var ingestor = new UploadIngestor(Options.Create(options));
        await PropertyRun.CheckAsync(output, "multipart/form-data", Form, async form =>
        {
            var context = new DefaultHttpContext();
            context.Request.Method = "POST";
            context.Request.ContentType = $"multipart/form-data; boundary=\"{form.Boundary.Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
            context.Request.Body = new MemoryStream(form.Body);
            context.Request.ContentLength = form.Body.Length;
            try
            {
                await using var upload = await ingestor.ReadMultipartAsync(context, options);
                upload.Publish();
            }
            catch (UploadException)
            {
                // Refused with a defined error.
            }

            Assert.Empty(Directory.GetFiles(temp.Path, ".upload-*"));
            foreach (var published in Directory.GetFiles(temp.Path))
            {
                File.Delete(published);
            }
        }, cases: 3_000, stream: 7);
    }
}
