using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static AspNetStreaming.Tests.Uploads.ResumableRequests;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>The upload instruments count every upload protocol: a resumable upload's appends add their bytes, the one
/// that publishes counts a stored file, an append that keeps its bytes for more is neither stored nor failed; a form
/// counts each of its files when they are published. (Resumable uploads counted nothing; a form of two files counted
/// one, before its publish.)</summary>
public sealed class UploadMetricsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ResumableAppendsAndFormFilesAreCounted()
    {
        var seen = new ConcurrentDictionary<string, long>();
        object? scope = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Diagnostics.StreamingMeter.Name && instrument.Name.StartsWith("aspnetstreaming.upload.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        // Other classes upload in parallel on meters of the same name: only this host's (its IMeterFactory is the scope).
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (scope is not null && ReferenceEquals(instrument.Meter.Scope, Volatile.Read(ref scope)))
            {
                seen.AddOrUpdate(instrument.Name, value, (_, old) => old + value);
            }
        });
        listener.Start();
        await using var server = await UploadServer.StartAsync(_temp.Path);
        Volatile.Write(ref scope, server.Host.Services.GetRequiredService<IMeterFactory>());

        var location = await CreateAsync(server, "counted.bin", new byte[1000]);
        using (var last = await server.Client.SendAsync(Patch(location, 1000, complete: true, new byte[500])))
        {
            Assert.Equal(HttpStatusCode.Created, last.StatusCode);
        }

        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(new byte[300]), "a", "a.bin" },
            { new ByteArrayContent(new byte[200]), "b", "b.bin" },
        };
        using (var posted = await server.Client.PostAsync("m", form))
        {
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        }

        Assert.Equal(1000 + 500 + 300 + 200, seen.GetValueOrDefault("aspnetstreaming.upload.bytes_received"));
        Assert.Equal(3, seen.GetValueOrDefault("aspnetstreaming.upload.stored")); // the resumable file and the form's two
        Assert.Equal(0, seen.GetValueOrDefault("aspnetstreaming.upload.failed"));
        Assert.Equal(0, seen.GetValueOrDefault("aspnetstreaming.upload.active"));
    }
}
