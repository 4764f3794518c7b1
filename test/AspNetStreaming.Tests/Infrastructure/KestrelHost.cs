using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Tests.Infrastructure;

/// <summary>A real Kestrel server on 127.0.0.1 with an ephemeral port, configured per test.</summary>
public sealed class KestrelHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The server's address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The app's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Log lines written during the test (category, event id, level, message).</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>Starts a server whose endpoints <paramref name="map"/> adds.</summary>
    public static async Task<KestrelHost> StartAsync(Action<WebApplication> map, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var logs = new CapturedLogs();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        // Beats any Logging section an appsettings.json in the output folder brings along.
        builder.Logging.AddFilter<CapturedLogs>(null, LogLevel.Debug);
        builder.Services.AddProblemDetails();
        configure?.Invoke(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new KestrelHost(app, new Uri(address + "/"));
        host.Logs.CopyFrom(logs);
        return host;
    }

    /// <summary>A client for this server with no timeout of its own (tests bound their waits explicitly).</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler { AutomaticDecompression = System.Net.DecompressionMethods.None })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromMinutes(5),
    };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
