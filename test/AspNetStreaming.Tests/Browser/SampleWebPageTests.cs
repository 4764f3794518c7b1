using AspNetStreaming.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AspNetStreaming.Tests.Browser;

/// <summary>
/// sample-web's page in a real browser: headless Chromium (Debian's, /usr/bin/chromium; .ci/run installs it) driven by
/// Microsoft.Playwright, against sample-web run as a process. The video plays and seeks with range requests; an upload
/// of 50 MB shows its progress, pauses and resumes, survives a reload of the page and is stored byte-identical; the
/// live output shows a program's first line while it still runs, and Stop kills it. A screenshot is written at the end.
/// </summary>
public sealed class SampleWebPageTests : IAsyncLifetime, IDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly TempDirectory _temp = new();
    private SampleWebProcess? _sample;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"Chromium is not installed at {Chromium} (apt-get install -y chromium; .ci/run does).");
        _sample = await SampleWebProcess.StartAsync(["Streaming:DefaultUrls=http://127.0.0.1:0", $"Streaming:Uploads:Root={_temp["uploads"]}"]);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"] });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_sample is not null)
        {
            await _sample.DisposeAsync();
        }

    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ThePage_PlaysAndSeeksTheVideo_ResumesAnUploadAcrossAReload_AndStreamsAndStopsAProgram()
    {
        var page = await _browser!.NewPageAsync(new() { ViewportSize = new() { Width = 1100, Height = 1800 } });
        var statuses = new System.Collections.Concurrent.ConcurrentBag<int>();
        page.Response += (_, response) =>
        {
            if (response.Url.EndsWith("/files/demo.webm", StringComparison.Ordinal))
            {
                statuses.Add(response.Status);
            }
        };
        await page.GotoAsync(_sample!.Http + "?throttle=150");

        // Video: ready, playing, and a seek near the end lands within 2 s, by range requests.
        await page.WaitForFunctionAsync("() => document.querySelector('#video').readyState >= 2");
        await page.EvaluateAsync("() => document.querySelector('#video').play()");
        await page.WaitForFunctionAsync("() => document.querySelector('#video').currentTime > 0.2");
        await page.ClickAsync("button[data-seek='28']");
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('#video'); return v.currentTime >= 28 && v.readyState >= 2; }", null, new() { Timeout = 2000 });
        Assert.Contains(206, statuses);

        // Upload: 50 MB in 4 MiB chunks (150 ms apart, to watch it on loopback): progress, pause, resume, reload, done.
        var source = _temp.CreateFile("big-upload.bin", 50_000_000, seed: 16);
        await page.SetInputFilesAsync("#upload-input", source);
        var row = page.Locator(".upload").First;
        await WaitForProgressAsync(page, 0.05);
        await row.Locator("button").ClickAsync(); // pause
        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "paused");
        var pausedAt = await ProgressAsync(page);
        await row.Locator("button").ClickAsync(); // resume
        await WaitForProgressAsync(page, Math.Max(0.3, pausedAt + 0.1));
        await page.ReloadAsync();
        await page.SetInputFilesAsync("#upload-input", source); // the same file: its fingerprint finds the upload
        var resumed = page.Locator(".upload").First;
        await Assertions.Expect(resumed).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
        Assert.True(long.Parse(await resumed.GetAttributeAsync("data-resumed-from") ?? "0", System.Globalization.CultureInfo.InvariantCulture) > 0,
            "the reloaded page started the upload over instead of resuming it");
        Assert.True(File.ReadAllBytes(source).AsSpan().SequenceEqual(File.ReadAllBytes(_temp["uploads/big-upload.bin"])), "the stored file differs");
        await Assertions.Expect(page.Locator("#files")).ToContainTextAsync("big-upload.bin");
        await Assertions.Expect(page.Locator("#files")).ToContainTextAsync("sha-256=:");

        // Live output: the first line shows while the program still runs; Stop kills it.
        await page.ClickAsync("#ticker-start");
        await Assertions.Expect(page.Locator("#ticker")).ToContainTextAsync("line 1 at");
        Assert.DoesNotContain("line 50 at", await page.Locator("#ticker").TextContentAsync() ?? "", StringComparison.Ordinal);
        Assert.True(await TickerRunsAsync(), "the ticker program is not running while its output streams");
        await page.ClickAsync("#ticker-stop");
        await Assertions.Expect(page.Locator("#ticker-status")).ToHaveTextAsync("stopped");
        await Eventually.AssertAsync(() => !TickerRunsAsync().Result, "the server killed the program when the page stopped reading");

        // SHA-256 by sha256sum, the file streamed into its stdin.
        var small = _temp.CreateFile("checked.bin", 3_000_000, seed: 17);
        await page.SetInputFilesAsync("#sha-input", small);
        await Assertions.Expect(page.Locator("#sha-result")).ToHaveTextAsync(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(small))));

        Directory.CreateDirectory(Path.Join(AppContext.BaseDirectory, "test-artifacts"));
        await page.ScreenshotAsync(new() { Path = Path.Join(AppContext.BaseDirectory, "test-artifacts", "sample-web-page.png"), FullPage = true });
    }

    private static async Task WaitForProgressAsync(IPage page, double atLeast)
        => await page.WaitForFunctionAsync($"() => Number(document.querySelector('.upload')?.dataset.progress ?? 0) >= {atLeast.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            null, new() { Timeout = 60_000 });

    private static async Task<double> ProgressAsync(IPage page)
        => double.Parse(await page.Locator(".upload").First.GetAttributeAsync("data-progress") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    // The ticker's shell has "ticker-demo" as its $0; pgrep finds it while it runs.
    private static async Task<bool> TickerRunsAsync()
        => (await CommandLine.RunAsync("pgrep", ["-f", "ticker-demo"], TimeSpan.FromSeconds(10))).ExitCode == 0;
}
