using BenchServer;

// The peers the bench compares AspNetStreaming against, each written the way an ASP.NET developer writes it
// today, plus library endpoints that sample-web does not map. Configured only by BENCH_DATA (the folder the
// bench wrote its files to), BENCH_SERVER_BUFFERS and --urls (an https:// URL among them gets a self-signed
// certificate and speaks HTTP/1.1 and HTTP/2, for the HTTP/2 rows).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.UseKestrelHttpsConfiguration();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = SelfSignedCertificate.Create()));
var data = Environment.GetEnvironmentVariable("BENCH_DATA") ?? Path.GetTempPath();
builder.Services.AddProblemDetails();
// BENCH_SERVER_BUFFERS=streaming: the same peers on AspNetStreaming's 64 KiB server blocks instead of Kestrel's 4 KiB
// ones, so the bench can show what the pool does for every endpoint, peers included.
if (Environment.GetEnvironmentVariable("BENCH_SERVER_BUFFERS") == "streaming")
{
    builder.Services.AddStreamingServerBuffers(builder.Configuration.GetSection("Streaming:Transport"));
}

var app = builder.Build();

app.MapFilePeers(data);
app.MapUploadPeers(data);
app.MapRangePeers(data);
app.MapProcessPeers(data);

app.Run();
