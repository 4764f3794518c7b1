using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Sample;

/// <summary>sample-web run as a real process with its optional HTTPS endpoint (<c>Streaming:HttpsUrl</c>, the
/// certificate from the standard <c>Kestrel:Certificates:Default</c> settings): a browser's HTTP/2 over TLS works for
/// downloads and uploads alike.</summary>
public sealed class SampleWebHttpsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task TheHttpsEndpoint_ServesFilesAndUploadsOverHttp2()
    {
        var pfx = _temp["cert.pfx"];
        await File.WriteAllBytesAsync(pfx, TestProtocols.Certificate.Export(X509ContentType.Pfx, "test"));
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            Path.Join(AppContext.BaseDirectory, "SampleWeb.dll"),
            "--Streaming:DefaultUrls=http://127.0.0.1:0", "--Streaming:HttpsUrl=https://127.0.0.1:0",
            $"--Kestrel:Certificates:Default:Path={pfx}", "--Kestrel:Certificates:Default:Password=test",
            $"--Streaming:Uploads:Root={_temp["uploads"]}", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        })
        {
            info.ArgumentList.Add(argument);
        }

        using var sample = Process.Start(info)!;
        try
        {
            var stderr = sample.StandardError.ReadToEndAsync();
            var https = await ListeningAddressAsync(sample, "https://", stderr);
            using var client = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == TestProtocols.Certificate.GetCertHashString() },
            })
            {
                BaseAddress = new Uri(https),
                DefaultRequestVersion = HttpVersion.Version20,
                DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };

            using var file = await client.GetAsync("/files/hello.txt");
            using var upload = await client.PutAsync("/uploads/over-h2.bin", new ByteArrayContent(new byte[300_000]));

            Assert.Equal((HttpStatusCode.OK, HttpVersion.Version20), (file.StatusCode, file.Version));
            Assert.Contains("Hello from AspNetStreaming", await file.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
            Assert.Equal(300_000, new FileInfo(_temp["uploads/over-h2.bin"]).Length);
        }
        finally
        {
            sample.Kill(entireProcessTree: true);
            await sample.WaitForExitAsync();
        }
    }

    /// <summary>The address the app reports in its "Now listening on:" line for <paramref name="scheme"/>.</summary>
    private static async Task<string> ListeningAddressAsync(Process sample, string scheme, Task<string> stderr)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await sample.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            var at = line.IndexOf("Now listening on: " + scheme, StringComparison.Ordinal);
            if (at >= 0)
            {
                // Keep reading the rest of stdout so the app never blocks on a full pipe.
                _ = sample.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return line[(at + "Now listening on: ".Length)..].Trim();
            }
        }

        Assert.Fail("sample-web exited without listening on " + scheme + ": " + await stderr);
        return "";
    }
}
