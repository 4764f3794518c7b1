using System.Diagnostics.Metrics;
using AspNetStreaming.Diagnostics;

namespace AspNetStreaming.Uploads;

/// <summary>Upload instruments on the library's meter.</summary>
internal sealed class UploadMetrics
{
    private readonly Counter<long>? _bytes;
    private readonly Counter<long>? _stored;
    private readonly Counter<long>? _failed;
    private readonly UpDownCounter<long>? _active;

    public UploadMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory?.Create(StreamingMeter.Name) is not { } meter)
        {
            return;
        }

        _bytes = meter.CreateCounter<long>("aspnetstreaming.upload.bytes_received", unit: "By", description: "Upload body bytes written to disk.");
        _stored = meter.CreateCounter<long>("aspnetstreaming.upload.stored", unit: "{file}", description: "Uploaded files published under their final name.");
        _failed = meter.CreateCounter<long>("aspnetstreaming.upload.failed", unit: "{upload}", description: "Uploads refused or broken off; nothing was published.");
        _active = meter.CreateUpDownCounter<long>("aspnetstreaming.upload.active", unit: "{upload}", description: "Uploads being received now.");
    }

    public void Started() => _active?.Add(1);

    public void Ended(long bytes, int storedFiles)
    {
        _active?.Add(-1);
        _bytes?.Add(bytes);
        if (storedFiles > 0)
        {
            _stored?.Add(storedFiles);
        }
        else
        {
            _failed?.Add(1);
        }
    }
}
