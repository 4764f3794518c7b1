using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AspNetStreaming.Tests.Processes;

/// <summary>Process and CGI settings that could only fail later (a timer that throws, a run killed at once, a folder
/// that is not there, an overflowing buffer) stop the app at start, naming the key; before, each of these started and
/// then failed requests (with the programs left running, for the timeouts).</summary>
public sealed class ProcessOptionsValidationTests
{
    [Theory]
    [InlineData("Processes", "IdleTimeout", "-00:00:01")]
    [InlineData("Processes", "IdleTimeout", "00:00:00")]
    [InlineData("Processes", "TotalTimeout", "-00:00:01")]
    [InlineData("Processes", "TotalTimeout", "30.00:00:00")]
    [InlineData("Processes", "KillGracePeriod", "-00:00:01")]
    [InlineData("Processes", "MaxOutputBytes", "-1")]
    [InlineData("Processes", "MaxRequestBodySize", "-1")]
    [InlineData("Processes", "ReadSize", "2147483647")]
    [InlineData("Processes", "WorkingDirectory", "/no/such/folder")]
    [InlineData("Cgi", "SpoolDirectory", "/no/such/folder")]
    [InlineData("Cgi", "MaxHeaderBytes", "2147483647")]
    public async Task AnUnusableSettingStopsTheAppAtStart(string section, string key, string value)
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"Streaming:{section}:{key}"] = value }).Build();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddStreamingProcesses(settings.GetSection("Streaming:Processes"));
        builder.Services.AddStreamingCgi(settings.GetSection("Streaming:Cgi"));
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AResultsOwnOptionsAreCheckedWhenTheResultIsMade()
    {
        var bad = new AspNetStreaming.Processes.ProcessOptions { ReadSize = 0 };

        Assert.Throws<OptionsValidationException>(() => AspNetStreaming.Processes.ProcessResults.Run(new AspNetStreaming.Processes.ProcessCommand("true"), bad));
        Assert.Throws<OptionsValidationException>(() => AspNetStreaming.Processes.ProcessResults.Pipeline([new AspNetStreaming.Processes.ProcessCommand("true")], bad));
    }
}
