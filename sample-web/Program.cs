using AspNetStreaming.Http;
using AspNetStreaming.Producers;
using SampleWeb;

// The app's configuration is the repository's top-level appsettings.json, copied beside the binary; the
// content root is the binary's folder so that file and the demo content are found however the app starts.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// --urls and ASPNETCORE_URLS win; otherwise listen where the settings say (loopback only by default), plus an
// HTTPS endpoint when Streaming:HttpsUrl is set. HTTPS speaks HTTP/1.1 and HTTP/2 (ALPN), as browsers negotiate; its
// certificate is the ASP.NET development one (`dotnet dev-certs https`) or Kestrel:Certificates:Default.
if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
{
    var urls = builder.Configuration["Streaming:DefaultUrls"] ?? "http://127.0.0.1:5080";
    if (builder.Configuration["Streaming:HttpsUrl"] is { Length: > 0 } https)
    {
        urls += ";" + https;
    }

    builder.WebHost.UseUrls(urls);
}

builder.BindKestrelLimits();
builder.Services.AddAspNetStreaming(builder.Configuration.GetSection("Streaming"));
builder.Services.AddOpenApi(); // GET /openapi/v1.json: the library's endpoints describe themselves

// Interim responses (104 Upload Resumption Supported for resumable uploads) on every HTTP/1.1 endpoint.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(endpoint => endpoint.UseInformationalResponses()));

var app = builder.Build();
app.UseStatusCodePages();
// Mounted under a path (behind a proxy that keeps the prefix, e.g. /app): every endpoint, Location and page link follows.
if (app.Configuration["Streaming:PathBase"] is { Length: > 0 } pathBase)
{
    app.UsePathBase(pathBase);
    app.UseRouting(); // after UsePathBase, so routes match the path below the base
}

app.MapOpenApi();

// GET /: the browser page for browsers (Accept: text/html), the plain list of endpoints for curl and other clients.
const string EndpointList = """
    AspNetStreaming sample
      GET  /files/{path}          files under Streaming:Files:Root (try /files/hello.txt), with Range,
                                  If-Range, If-None-Match, If-Modified-Since ... (RFC 9110)
      GET  /ranges/bytes          bytes in memory with ranges (try -H 'Range: bytes=0-9,27-36')
      GET  /ranges/stream         a seekable stream with ranges
      GET  /ranges/download       a download with a non-ASCII file name
      GET  /generated?count=N     a generated body of unknown length (chunked)
      PUT  /uploads/{name}        a raw upload into Streaming:Uploads:Root (atomic, digest-verified)
      POST /uploads               multipart/form-data files, all published or none
      POST /uploads/resumable/{name}  resumable uploads (draft-ietf-httpbis-resumable-upload, interop 5 and 6)
      POST /uploads/tus           resumable uploads (tus 1.0.0: tus-js-client's and Uppy's default)
      POST /run/sha256            the request body through sha256sum
      POST /run/grep-count?pattern=P  the body through grep -i -e P | wc -l
      GET  /cgi-bin/hello.cgi     a CGI/1.1 script under Streaming:Cgi:Root
      GET  /run/ticker            a program's output, a line every 200 ms for 10 s (streamed as it is written)
      GET  /api/files             the demo and uploaded files (JSON); GET / in a browser shows them all
    """;
var index = Path.Combine(app.PageRoot(), "index.html");
app.MapMethods("/", PageEndpoints.GetHead, (HttpContext context) =>
{
    context.Response.Headers.Vary = "Accept"; // two representations of one URL: caches must key on Accept
    if (context.Request.PathBase.HasValue && !context.Request.Path.HasValue)
    {
        // /app → /app/: the page's links are relative to it.
        return Results.Redirect(context.Request.PathBase + "/" + context.Request.QueryString);
    }

    return context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
        ? StreamingResults.File(index, new FileResultOptions { ContentType = "text/html; charset=utf-8", CacheControl = "no-cache" })
        : Results.Text(EndpointList);
}).WithTags("Page").WithSummary("The browser page (Accept: text/html), else the list of endpoints as text.")
    .Produces<string>(StatusCodes.Status200OK, "text/html", "text/plain");

app.UseFileStatusCounts();
app.MapFiles("/files");
app.MapFilesDemos();
app.MapUploadsEndpoints();
app.MapProcessesEndpoints();
app.MapPage();

// A generator producer: N lines, never more than one chunk in memory, sent chunked.
app.MapMethods("/generated", PageEndpoints.GetHead, (int? count) => StreamingResults.Body(
    BodyProducers.FromChunks(Lines(Math.Clamp(count ?? 1000, 0, 10_000_000))), "text/plain; charset=utf-8"))
    .WithTags("Page").WithSummary("A generated body of unknown length (chunked), count lines.").Produces<string>(StatusCodes.Status200OK, "text/plain");

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
