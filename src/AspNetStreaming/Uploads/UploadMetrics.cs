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

    public void Ended(long bytes, int storedFiles) => Ended(bytes, storedFiles, failed: storedFiles == 0);

    /// <summary>A request of an upload ended: its bytes were received; it published <paramref name="storedFiles"/>, or
    /// failed, or neither (a resumable append that kept its bytes for more, a form read and not yet published).</summary>
    public void Ended(long bytes, int storedFiles, bool failed)
    {
        _active?.Add(-1);
        _bytes?.Add(bytes);
        Published(storedFiles);
        if (failed)
        {
            _failed?.Add(1);
        }
    }

    /// <summary>Files published after their request's bytes were counted (a form's files, at its publish).</summary>
    public void Published(int files)
    {
        if (files > 0)
        {
            _stored?.Add(files);
        }
    }

    /// <summary>A publish that failed after its bytes were counted.</summary>
    public void PublishFailed() => _failed?.Add(1);
}
