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

// BENCH_MIN_RESPONSE_RATE=off: no minimum response data rate, so a stalled client stays stalled for the slow-clients
// scenario to measure what it pins. (Kestrel counts no bytes for a body written with GetMemory/Advance, so with its
// default it cuts such a response once one flush has waited past the 5 s grace period.)
if (Environment.GetEnvironmentVariable("BENCH_MIN_RESPONSE_RATE") == "off")
{
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MinResponseDataRate = null);
}

builder.AddBlobStore();
builder.Configuration["Streaming:Uploads:Root"] = Path.Combine(data, "uploads");
builder.Configuration["Streaming:Uploads:Digest"] = "AlwaysSha256"; // the tus row compares protocols at one cost
builder.Configuration["Streaming:Uploads:MaxSize"] = (4L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture);
builder.Services.AddStreamingUploads(builder.Configuration.GetSection("Streaming:Uploads"));
var app = builder.Build();

// POST /bench/collect: a full, compacting, aggressive GC, so the slow-clients scenario can also read the RSS that live
// and pinned memory take once the garbage of the transfers so far is gone.
app.MapPost("/bench/collect", () =>
{
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    return Results.NoContent();
});

// GET /bench/gc: the managed heap's figures (bytes allocated so far, heap size and committed bytes at the last GC),
// so a scenario can tell the managed share of the memory it measures from the rest.
app.MapGet("/bench/gc", () =>
{
    var info = GC.GetGCMemoryInfo();
    return Results.Json(new { allocated = GC.GetTotalAllocatedBytes(precise: true), heapSize = info.HeapSizeBytes, committed = info.TotalCommittedBytes, fragmented = info.FragmentedBytes, gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2), generations = info.GenerationInfo.ToArray().Select(g => new { before = g.SizeBeforeBytes, after = g.SizeAfterBytes, fragAfter = g.FragmentationAfterBytes }) });
});

app.MapFilePeers(data);
app.MapUploadPeers(data);
app.MapRangePeers(data);
app.MapProcessPeers(data);
app.MapBlobPeers(data);

app.Run();
