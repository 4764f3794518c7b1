using AspNetStreaming.Http;
using AspNetStreaming.Cgi;
using AspNetStreaming.Transport.Informational;
using AspNetStreaming.Processes;
using AspNetStreaming.Producers;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AspNetStreaming.Tests.Protocols;

/// <summary>
/// Every feature mapped once, served on each protocol of the axis (<see cref="TestProtocol"/>): one Kestrel host per
/// protocol, all alike but for the endpoint. Files under <c>/files</c>, uploads (<c>PUT /u/{name}</c>,
/// <c>POST /m</c>, resumable <c>/r</c>) into a root per protocol, processes under <c>/p</c>, CGI under
/// <c>/cgi-bin</c>, a generated body at <c>/gen</c>.
/// </summary>
public sealed class ProtocolMatrixFixture : IAsyncLifetime
{
    public const int DataLength = 300_000;

    /// <summary>A CGI script that echoes its body with the meta-variables a test checks.</summary>
    private const string CgiScript = """
        #!/bin/bash
        printf 'Content-Type: application/octet-stream\nX-Protocol: %s\nX-Method: %s\n\n' "$SERVER_PROTOCOL" "$REQUEST_METHOD"
        head -c "${CONTENT_LENGTH:-0}"
        """;

    private readonly Dictionary<TestProtocol, KestrelHost> _hosts = [];

    public TempDirectory Temp { get; } = new();

    public byte[] Data { get; private set; } = [];

    public string DataPath => Temp["files/data.bin"];

    public KestrelHost Host(TestProtocol protocol) => _hosts[protocol];

    /// <summary>The folder uploads over <paramref name="protocol"/> are stored in.</summary>
    public string UploadRoot(TestProtocol protocol) => Temp["uploads-" + protocol];

    /// <summary>Where <c>/p/forever/{id}</c> writes its process id.</summary>
    public string PidFile(int id) => Temp[$"pids/{id}.pid"];

    public async Task InitializeAsync()
    {
        Temp.CreateFile("files/data.bin", DataLength, seed: 5);
        Data = await File.ReadAllBytesAsync(DataPath);
        Directory.CreateDirectory(Temp["pids"]);
        Directory.CreateDirectory(Temp["cgi"]);
        Directory.CreateDirectory(Temp["spool"]);
        var script = Temp["cgi/echo.cgi"];
        await File.WriteAllTextAsync(script, CgiScript.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        foreach (var protocol in (TestProtocol[])[TestProtocol.Http11, TestProtocol.Http2Tls, TestProtocol.H2c])
        {
            _hosts[protocol] = await StartAsync(protocol);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts.Values)
        {
            await host.DisposeAsync();
        }

        Temp.Dispose();
    }

    private Task<KestrelHost> StartAsync(TestProtocol protocol)
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Files:Root"] = Temp["files"],
            ["Uploads:Root"] = UploadRoot(protocol),
            ["Cgi:Root"] = Temp["cgi"],
            ["Cgi:SpoolDirectory"] = Temp["spool"],
        }).Build();
        var pids = Temp["pids"];
        return KestrelHost.StartAsync(app =>
        {
            app.MapFiles("/files");
            app.UseStreamingStaticFiles(new StreamingStaticFileOptions { RequestPath = "/static", Root = Temp["files"] });
            app.MapUpload("/u");
            app.MapMultipartUpload("/m");
            app.MapResumableUploads("/r");
            app.MapProcess("/p/seq/{n}", new ProcessCommandTemplate("seq", ProcessArgument.FromRoute<int>("n")));
            app.MapProcess("/p/cat", new ProcessCommand("cat"), httpMethods: [HttpMethods.Post]);
            app.MapProcessPipeline("/p/upper-count", [new ProcessCommandTemplate("tr", "a-z", "A-Z"), new ProcessCommandTemplate("wc", "-c")], httpMethods: [HttpMethods.Post]);
            // A fixed script (never request data): records its pid, then writes without end until it is killed.
            app.MapProcess("/p/forever/{id}", new ProcessCommandTemplate("bash", "-c", $"echo $$ > {pids}/$0.pid; exec yes", ProcessArgument.FromRoute<int>("id")));
            app.MapCgi("/cgi-bin");
            app.MapGet("/gen", () => StreamingResults.Body(BodyProducers.FromChunks(Lines(1000)), "text/plain"));
        }, builder =>
        {
            builder.Services.AddAspNetStreaming(settings);
            builder.Services.AddRouting();
            builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.UseInformationalResponses()));
        }, protocol);
    }

    /// <summary>The generated body: "line 0\n" … "line {count-1}\n".</summary>
    public static string GeneratedText(int count = 1000) => string.Concat(Enumerable.Range(0, count).Select(i => $"line {i}\n"));

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Lines(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return System.Text.Encoding.ASCII.GetBytes($"line {i}\n");
            if (i % 100 == 0)
            {
                await Task.Yield();
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ProtocolMatrixGroup : ICollectionFixture<ProtocolMatrixFixture>
{
    public const string Name = "protocol matrix";
}
