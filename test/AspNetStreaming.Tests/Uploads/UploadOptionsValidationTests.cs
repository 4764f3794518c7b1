using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>Upload settings that could only misbehave later stop the app at start (or the mapping that was given them),
/// naming the key. The worst of them: an empty or "." root stored uploads in the app's own folder, where a PUT of
/// appsettings.json replaced the app's configuration.</summary>
public sealed class UploadOptionsValidationTests
{
    [Theory]
    [InlineData("Root", "")]
    [InlineData("MinDataRate", "-1")]
    [InlineData("Multipart:MaxParts", "0")]
    [InlineData("Multipart:MaxFileSize", "-5")]
    [InlineData("Multipart:MaxTotalSize", "0")]
    [InlineData("Multipart:MaxHeaderSize", "0")]
    [InlineData("Multipart:MaxFieldSize", "-1")]
    [InlineData("Multipart:MaxFieldSize", "2147483647")]
    [InlineData("Multipart:MaxTotalFieldSize", "67108865")]
    [InlineData("Resumable:Expiry", "-00:00:01")]
    [InlineData("Resumable:CleanupInterval", "00:00:00")]
    public async Task AnUnusableSettingStopsTheAppAtStart(string key, string value)
    {
        await using var app = Build(new() { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("./")]
    public async Task ARootThatIsTheAppsOwnFolder_IsRefusedWhenMapped(string root)
    {
        using var temp = new TempDirectory();
        await using var app = Build(new() { ["Root"] = root }, temp.Path);

        var error = Assert.Throws<OptionsValidationException>(() => app.MapUpload("/uploads"));

        Assert.Contains("Streaming:Uploads:Root", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PerEndpointOptionsAreCheckedWhenMapped()
    {
        using var temp = new TempDirectory();
        await using var app = Build(new() { ["Root"] = temp.Path });

        Assert.Throws<OptionsValidationException>(() => app.MapUpload("/u", new AspNetStreaming.Uploads.UploadOptions { Root = temp.Path, MaxNameLength = 0 }));
        Assert.Throws<OptionsValidationException>(() => app.MapTusUploads("/t", new AspNetStreaming.Uploads.UploadOptions { Root = temp.Path, MaxSize = 0 }));
    }

    private static WebApplication Build(Dictionary<string, string?> settings, string? contentRoot = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = contentRoot });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddStreamingUploads(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return builder.Build();
    }
}
