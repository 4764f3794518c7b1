using System.Diagnostics;
using System.Security.Cryptography;
using AspNetStreaming.Http;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;

namespace AspNetStreaming.Tests.Files;

/// <summary>A real segmented client: aria2c with 8 connections downloads 64 MiB by ranges and the checksum matches.
/// Needs the aria2 package (installed by .ci/run).</summary>
public sealed class Aria2SegmentedDownloadTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task Aria2cDownloadsA64MiBFileInEightSegments()
    {
        var source = _temp.CreateFile("root/movie.bin", 64 << 20, seed: 11);
        var rangeRequests = 0;
        await using var host = await KestrelHost.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                if (context.Request.Headers.Range.Count > 0)
                {
                    Interlocked.Increment(ref rangeRequests);
                }

                await next(context);
            });
            app.MapFiles("/files", new FileServingOptions { Root = _temp["root"] });
        });

        Directory.CreateDirectory(_temp["out"]);
        var start = new ProcessStartInfo("aria2c") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "-x8", "-s8", "--min-split-size=1M", "--file-allocation=none", "--allow-overwrite=true", "--auto-file-renaming=false",
            "--check-certificate=false", "--max-tries=1", "--console-log-level=warn", "--summary-interval=0",
            "-d", _temp["out"], "-o", "movie.bin", new Uri(host.BaseAddress, "files/movie.bin").ToString(),
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var aria2 = Process.Start(start)!;
        var stdout = aria2.StandardOutput.ReadToEndAsync();
        var stderr = aria2.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await aria2.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            aria2.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(aria2.ExitCode == 0, $"aria2c exited {aria2.ExitCode}: {await stdout}{await stderr}");
        // aria2c opens its first connection without a Range header and splits from there, so 8 connections make
        // at least 7 range requests when all goes well; 4 is enough to prove a segmented download.
        Assert.True(rangeRequests >= 4, $"aria2c made {rangeRequests} range requests; expected a segmented download");
        Assert.Equal(await HashAsync(source), await HashAsync(_temp["out/movie.bin"]));
    }

    public void Dispose() => _temp.Dispose();

    private static async Task<string> HashAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexString(await SHA256.HashDataAsync(stream));
    }
}
