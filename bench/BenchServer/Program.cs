using BenchServer;

// The peers the bench compares AspNetStreaming against, each written the way an ASP.NET developer writes it
// today, plus library endpoints that sample-web does not map. Configured only by BENCH_DATA (the folder the
// bench wrote its files to) and --urls.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var data = Environment.GetEnvironmentVariable("BENCH_DATA") ?? Path.GetTempPath();
builder.Services.AddProblemDetails();
var app = builder.Build();

app.MapFilePeers(data);
app.MapUploadPeers(data);
app.MapRangePeers(data);
app.MapProcessPeers(data);

app.Run();
