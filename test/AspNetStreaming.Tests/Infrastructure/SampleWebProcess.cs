using System.Diagnostics;

namespace AspNetStreaming.Tests.Infrastructure;

/// <summary>sample-web run as a real process (<c>dotnet SampleWeb.dll</c>, settings as command-line arguments), on a
/// port of its own choosing; killed with its tree when disposed, or on purpose by a test.</summary>
internal sealed class SampleWebProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private SampleWebProcess(Process process, Task<string> stderr, Dictionary<string, Uri> addresses)
    {
        _process = process;
        _stderr = stderr;
        Addresses = addresses;
    }

    /// <summary>The address the app listens on, per scheme (<c>http</c>, <c>https</c>).</summary>
    public IReadOnlyDictionary<string, Uri> Addresses { get; }

    public Uri Http => Addresses["http"];

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the app with <paramref name="settings"/> (<c>key=value</c>) and waits until it listens on
    /// every scheme of <paramref name="schemes"/>.</summary>
    public static async Task<SampleWebProcess> StartAsync(IEnumerable<string> settings, params string[] schemes)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Join(AppContext.BaseDirectory, "SampleWeb.dll"));
        info.ArgumentList.Add("--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");
        foreach (var setting in settings)
        {
            info.ArgumentList.Add("--" + setting);
        }

        var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var addresses = new Dictionary<string, Uri>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (addresses.Count < Math.Max(1, schemes.Length) && await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                var at = line.IndexOf("Now listening on: ", StringComparison.Ordinal);
                if (at >= 0)
                {
                    var address = new Uri(line[(at + "Now listening on: ".Length)..].Trim());
                    addresses[address.Scheme] = address;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Reported below with what the app wrote.
        }

        if (!(schemes.Length == 0 ? addresses.ContainsKey("http") : schemes.All(addresses.ContainsKey)))
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            var error = await stderr;
            process.Dispose();
            Assert.Fail($"sample-web did not listen on {string.Join(", ", schemes)}: {error}");
        }

        // Keep reading stdout so the app never blocks on a full pipe.
        _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        return new SampleWebProcess(process, stderr, addresses);
    }

    /// <summary>Kills the app at once (no graceful shutdown): what a crashed or evicted instance does.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        await _stderr;
        _process.Dispose();
    }
}
