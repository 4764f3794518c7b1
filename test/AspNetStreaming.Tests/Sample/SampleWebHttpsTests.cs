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
        await using var sample = await SampleWebProcess.StartAsync(
        [
            "Streaming:DefaultUrls=http://127.0.0.1:0", "Streaming:HttpsUrl=https://127.0.0.1:0",
            $"Kestrel:Certificates:Default:Path={pfx}", "Kestrel:Certificates:Default:Password=test",
            $"Streaming:Uploads:Root={_temp["uploads"]}",
        ], "http", "https");
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == TestProtocols.Certificate.GetCertHashString() },
        })
        {
            BaseAddress = sample.Addresses["https"],
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
}
