using System.Net;
using System.Text;
using AspNetStreaming.Processes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static AspNetStreaming.Tests.Processes.ProcessTestSupport;

namespace AspNetStreaming.Tests.Processes;

/// <summary>Which exit codes are success (a command's <c>SuccessExitCodes</c>, every stage with <c>PipeFail</c>), and a
/// program that wrote a little and failed at once: its status decides the answer (502) instead of a 200 cut off.</summary>
public sealed class ProcessExitStatusTests
{
    private static readonly string[] Post = [HttpMethods.Post];

    [Fact]
    public async Task AProgramThatWritesALittleAndFailsAtOnce_Is502_NotA200CutOff()
    {
        await using var host = await StartAsync(app => app.MapProcess("/p", Bash("echo partial; exit 3")));
        using var client = host.CreateClient();

        using var response = await client.GetAsync("p");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("exit code 3", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a", HttpStatusCode.OK, "2")]
    [InlineData("zzz", HttpStatusCode.OK, "0")] // grep's 1: no line matched, a count of 0
    [InlineData("[", HttpStatusCode.BadGateway, null)] // grep's 2: an invalid pattern
    public async Task GrepsExitCodes_ThroughAPipeFailPipeline(string pattern, HttpStatusCode status, string? count)
    {
        await using var host = await StartAsync(app => app.MapProcessPipeline("/count",
        [
            new ProcessCommandTemplate("grep", "-e", ProcessArgument.FromQuery<string>("pattern", new ProcessArgumentRules { AllowLeadingDash = true }))
            {
                SuccessExitCodes = [0, 1],
            },
            new ProcessCommandTemplate("wc", "-l"),
        ], o => o.PipeFail = true, Post));
        using var client = host.CreateClient();

        using var response = await client.PostAsync("count?pattern=" + Uri.EscapeDataString(pattern), new StringContent("a\nb\nab\n", Encoding.ASCII));

        Assert.Equal(status, response.StatusCode);
        if (count is not null)
        {
            Assert.Equal(count, (await response.Content.ReadAsStringAsync()).Trim());
        }
    }

    [Fact]
    public async Task WithoutSuccessExitCodes_APipeFailPipelineFailsOnGrepsNoMatch()
    {
        await using var host = await StartAsync(app => app.MapProcessPipeline("/count",
            [new ProcessCommandTemplate("grep", "-e", ProcessArgument.Literal("zzz")), new ProcessCommandTemplate("wc", "-l")],
            o => o.PipeFail = true, Post));
        using var client = host.CreateClient();

        // wc prints "0" at once; the failure is known only when grep's exit is. Within the 100 ms the first output waits
        // for an exit it is a 502; on a loaded machine the exit may come later, and then the 200 already sent is cut
        // (the client sees a broken body). Never is it a clean 200 "0".
        try
        {
            using var response = await client.PostAsync("count", new StringContent("a\n", Encoding.ASCII));
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // The cut 200.
        }
    }
}
