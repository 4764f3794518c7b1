using Microsoft.Extensions.Hosting;

namespace AspNetStreaming.Uploads;

/// <summary>Removes abandoned resumable uploads every <see cref="ResumableUploadOptions.CleanupInterval"/>, and
/// leftover temporary files of interrupted raw and multipart uploads (a crashed process cannot delete its own): at
/// start-up and on every sweep, each one no live writer holds (see <see cref="IO.LiveFileLock"/>).</summary>
internal sealed class ResumableUploadCleanupService(ResumableUploadStore store) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = store.Ingestor.Options.Resumable;
        using var timer = new PeriodicTimer(options.CleanupInterval > TimeSpan.Zero ? options.CleanupInterval : TimeSpan.FromMinutes(5));
        do
        {
            try
            {
                await store.RemoveExpiredAsync(DateTime.UtcNow, options.Expiry, stoppingToken).ConfigureAwait(false);
                RemoveStaleTempFiles(options.Expiry);
            }
            catch (Exception error) when (!stoppingToken.IsCancellationRequested && error is Storage.StoreException { Kind: Storage.StoreErrorKind.Unavailable }
                or UploadException { Kind: UploadErrorKind.StoreUnavailable })
            {
                // A store that is down now is swept at the next tick.
                UploadLog.StoreUnavailable(store.Ingestor.Logger, store.Location, error.Message);
            }
            catch (Exception error) when (!stoppingToken.IsCancellationRequested)
            {
                UploadLog.SweepFailed(store.Ingestor.Logger, error, store.Location);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private void RemoveStaleTempFiles(TimeSpan age)
    {
        foreach (var temp in Directory.EnumerateFiles(store.Ingestor.Root, UploadStorage.TempPrefix + "*.tmp"))
        {
            if (UploadStorage.IsAbandoned(temp, age) && UploadStorage.TryDelete(temp) is { } error)
            {
                UploadLog.CleanupFailed(store.Ingestor.Logger, error, temp);
            }
        }
    }
}
