using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AspNetStreaming.Tests.Infrastructure;

/// <summary>How a test talks to its server: the protocol axis of the suite.</summary>
public enum TestProtocol
{
    /// <summary>HTTP/1.1 in clear text.</summary>
    Http11,

    /// <summary>HTTP/2 over TLS, negotiated by ALPN on an endpoint that also offers HTTP/1.1 (Kestrel's HTTPS default).</summary>
    Http2Tls,

    /// <summary>HTTP/2 in clear text with prior knowledge (h2c), on an HTTP/2-only endpoint.</summary>
    H2c,
}

/// <summary>The protocol axis as xunit data, and what a client needs to speak each protocol.</summary>
public static class TestProtocols
{
    /// <summary>Every protocol, for <c>[MemberData(nameof(TestProtocols.All), MemberType = typeof(TestProtocols))]</c>.</summary>
    public static TheoryData<TestProtocol> All => [TestProtocol.Http11, TestProtocol.Http2Tls, TestProtocol.H2c];

    /// <summary>The HTTP/2 protocols only.</summary>
    public static TheoryData<TestProtocol> Http2 => [TestProtocol.Http2Tls, TestProtocol.H2c];

    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, made once per test run.</summary>
    public static X509Certificate2 Certificate => LazyCertificate.Value;

    private static readonly Lazy<X509Certificate2> LazyCertificate = new(CreateCertificate);

    public static Version VersionOf(this TestProtocol protocol) => protocol == TestProtocol.Http11 ? HttpVersion.Version11 : HttpVersion.Version20;

    public static bool IsHttp2(this TestProtocol protocol) => protocol != TestProtocol.Http11;

    /// <summary>The response's protocol as the server reports it in <c>HttpRequest.Protocol</c>.</summary>
    public static string ServerProtocolName(this TestProtocol protocol) => protocol.IsHttp2() ? "HTTP/2" : "HTTP/1.1";

    /// <summary>curl's flags for the protocol (with <c>-k</c> for the test certificate).</summary>
    public static string[] CurlFlags(this TestProtocol protocol) => protocol switch
    {
        TestProtocol.Http2Tls => ["--http2", "-k"],
        TestProtocol.H2c => ["--http2-prior-knowledge"],
        _ => ["--http1.1"],
    };

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        // A PKCS#12 round trip gives a certificate whose private key TLS can use on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
