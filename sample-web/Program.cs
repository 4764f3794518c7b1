using AspNetStreaming.DependencyInjection;
using AspNetStreaming.Http;
using AspNetStreaming.Producers;

// The app's configuration is the repository's top-level appsettings.json, copied beside the binary; the
// content root is the binary's folder so that file and the demo content are found however the app starts.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// --urls and ASPNETCORE_URLS win; otherwise listen where the settings say (loopback only by default).
if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
{
    builder.WebHost.UseUrls(builder.Configuration["Streaming:DefaultUrls"] ?? "http://127.0.0.1:5080");
}

builder.Services.AddAspNetStreaming(builder.Configuration.GetSection("Streaming"));

var app = builder.Build();
app.UseStatusCodePages();

app.MapGet("/", () => Results.Text("""
    AspNetStreaming sample
      GET  /files/{path}          files under Streaming:Files:Root (try /files/hello.txt)
      GET  /generated?count=N     a generated body of unknown length (chunked)
    """));

app.MapFiles("/files");
SampleWeb.ProcessesEndpoints.MapProcessesEndpoints(app);

// A generator producer: N lines, never more than one chunk in memory, sent chunked.
app.MapGet("/generated", (int? count) => StreamingResults.Body(
    BodyProducers.FromChunks(Lines(Math.Clamp(count ?? 1000, 0, 10_000_000))), "text/plain; charset=utf-8"));

app.Run();

static async IAsyncEnumerable<ReadOnlyMemory<byte>> Lines(int count)
{
    var buffer = new byte[64];
    for (var i = 1; i <= count; i++)
    {
        System.Text.Unicode.Utf8.TryWrite(buffer, $"line {i}\n", out var written);
        yield return buffer.AsMemory(0, written);
        if (i % 4096 == 0)
        {
            await Task.Yield();
        }
    }
}

/// <summary>The sample app's entry point, public so tests can host it with <c>WebApplicationFactory</c>.</summary>
public partial class Program;
