using System.Diagnostics;
using System.Text.RegularExpressions;
using AspNetStreaming.Tests.Clients;
using Azure.Storage.Blobs;

namespace AspNetStreaming.Tests.Infrastructure;

/// <summary>
/// Microsoft's Azure Storage emulator (Azurite, from test/js) as a real blob server on a loopback port chosen by the
/// system: started once per test collection with a temp data folder, without telemetry (on by default in Azurite),
/// accepting the SDK's newer API version; killed with its tree, and its folder deleted, when the collection ends. Each test takes a container of its own, so tests never see each other's blobs.
/// </summary>
public sealed partial class AzuriteServer : IAsyncLifetime
{
    // Azurite's well-known development account (documented by Microsoft; it exists only in the emulator).
    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _data = Directory.CreateTempSubdirectory("azurite-").FullName;
    private Process? _process;
    private int _containers;

    /// <summary>The blob endpoint's port.</summary>
    public int Port { get; private set; }

    /// <summary>A connection string for the emulator's account.</summary>
    public string ConnectionString => $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};BlobEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public async Task InitializeAsync()
    {
        NodeScript.RequirePackage("azurite");
        _process = CommandLine.Start("node",
            [Path.Join("node_modules", "azurite", "dist", "src", "blob", "main.js"), "--blobHost", "127.0.0.1", "--blobPort", "0",
             "--location", _data, "--silent", "--disableTelemetry", "--skipApiVersionCheck"],
            NodeScript.Folder, "install Node.js (apt-get install nodejs npm; .ci/run does)");
        _process.StandardInput.Close();
        var stderr = _process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await _process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    Port = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    _ = DrainAsync(_process.StandardOutput); // a full stdout pipe would stall the emulator
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
        }

        await DisposeAsync();
        Assert.Fail($"Azurite did not say which port it listens on; stderr: {await stderr}");
    }

    /// <summary>The emulator's connection string with a loopback port nothing listens on (taken from the system, then
    /// let go): a store that cannot be reached.</summary>
    public string UnreachableConnectionString()
    {
        var port = LoopbackPorts.Free();
        return ConnectionString.Replace($":{Port}/", $":{port}/", StringComparison.Ordinal);
    }

    /// <summary>Stops the emulator's process (SIGSTOP) until the result is disposed (SIGCONT): a store that stalls,
    /// whose connections stay open and answer nothing. Tests of the collection run one at a time, so only the caller sees it.</summary>
    public async Task<IAsyncDisposable> PauseAsync()
    {
        var pid = _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await CommandLine.RunAsync("kill", ["-STOP", pid], TimeSpan.FromSeconds(10));
        return new Resumer(pid);
    }

    private sealed class Resumer(string pid) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await CommandLine.RunAsync("kill", ["-CONT", pid], TimeSpan.FromSeconds(10));
    }

    /// <summary>A client of a new, empty container for one test.</summary>
    public async Task<BlobContainerClient> CreateContainerAsync()
    {
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 0; // a failure in a test should show at once, not after retries with backoff
        var container = new BlobServiceClient(ConnectionString, options).GetBlobContainerClient($"test-{Interlocked.Increment(ref _containers)}-{Guid.NewGuid():N}");
        await container.CreateAsync();
        return container;
    }

    public async Task DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            _process = null;
        }

        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private static async Task DrainAsync(StreamReader output)
    {
        try
        {
            while (await output.ReadLineAsync() is not null)
            {
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    [GeneratedRegex(@"successfully listens on https?://[^:]+:(\d+)")]
    private static partial Regex ListeningLine();
}

/// <summary>The test classes that share one Azurite.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteServers : ICollectionFixture<AzuriteServer>
{
    public const string Name = "Azurite";
}
