using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Tests.Infrastructure;

/// <summary>A real Kestrel server on 127.0.0.1 with an ephemeral port, configured per test.</summary>
public sealed class KestrelHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelHost(WebApplication app, Uri baseAddress, TestProtocol protocol)
    {
        _app = app;
        BaseAddress = baseAddress;
        Protocol = protocol;
    }

    /// <summary>The protocol this server's endpoint speaks to the clients of <see cref="CreateClient"/>.</summary>
    public TestProtocol Protocol { get; }

    /// <summary>The server's address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The app's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Log lines written during the test (category, event id, level, message).</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>Starts a server whose endpoints <paramref name="map"/> adds, on one endpoint speaking
    /// <paramref name="protocol"/>.</summary>
    public static async Task<KestrelHost> StartAsync(Action<WebApplication> map, Action<WebApplicationBuilder>? configure = null,
        TestProtocol protocol = TestProtocol.Http11)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrelHttpsConfiguration();
        var logs = new CapturedLogs();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        // Beats any Logging section an appsettings.json in the output folder brings along.
        builder.Logging.AddFilter<CapturedLogs>(null, LogLevel.Debug);
        builder.Services.AddProblemDetails();
        configure?.Invoke(builder);
        // After configure, so endpoint defaults it sets (UseInformationalResponses) apply to this endpoint too.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocol switch
            {
                TestProtocol.Http2Tls => HttpProtocols.Http1AndHttp2,
                TestProtocol.H2c => HttpProtocols.Http2,
                _ => HttpProtocols.Http1,
            };
            if (protocol == TestProtocol.Http2Tls)
            {
                listen.UseHttps(TestProtocols.Certificate);
            }
        }));
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new KestrelHost(app, new Uri(address + "/"), protocol);
        host.Logs.CopyFrom(logs);
        return host;
    }

    /// <summary>A client for this server with no timeout of its own (tests bound their waits explicitly), speaking
    /// exactly <see cref="Protocol"/> on every request (no fallback to another version, whatever version the
    /// request message names) and trusting the test certificate.</summary>
    public HttpClient CreateClient() => new(new ExactVersionHandler(Protocol.VersionOf(), new SocketsHttpHandler
    {
        AutomaticDecompression = DecompressionMethods.None,
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == TestProtocols.Certificate.GetCertHashString() },
    }))
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromMinutes(5),
    };

    private sealed class ExactVersionHandler(Version version, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Version = version;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
