using AspNetStreaming.Cgi;
using AspNetStreaming.Processes;

namespace SampleWeb;

/// <summary>The sample's process endpoints: the request body piped through programs, no shell involved.</summary>
internal static class ProcessesEndpoints
{
    public static WebApplication MapProcessesEndpoints(this WebApplication app)
    {
        // POST /run/sha256: the body through sha256sum (seed example pipe_csum), streamed both ways.
        app.MapProcess("/run/sha256", new ProcessCommand("sha256sum"),
            o => o.ContentType = "text/plain; charset=utf-8", [HttpMethods.Post]);

        // POST /run/grep-count?pattern=P: grep -i -e P | wc -l (seed example pipe_grep). The pattern is one argv
        // entry after -e, so it may start with '-' without being taken for an option. grep's 1 (no line matched) is a
        // count of 0, its 2 (an invalid pattern) a failure: with PipeFail the answer is 502, not a count.
        app.MapProcessPipeline("/run/grep-count",
        [
            new ProcessCommandTemplate("grep", "-i", "-e", ProcessArgument.FromQuery<string>("pattern", new ProcessArgumentRules { AllowLeadingDash = true, MaxLength = 1024 }))
            {
                SuccessExitCodes = [0, 1],
            },
            new ProcessCommandTemplate("wc", "-l"),
        ], o => (o.ContentType, o.PipeFail) = ("text/plain; charset=utf-8", true), [HttpMethods.Post]);

        // /cgi-bin/{script}{/path-info}?query over Streaming:Cgi:Root. The build copies the demo script; a copy
        // may lose its execute bit (zip, some copy tools), so the sample restores it for its own demo script.
        var cgiRoot = Path.Combine(app.Environment.ContentRootPath, app.Configuration["Streaming:Cgi:Root"] ?? "cgi-bin");
        var demo = Path.Combine(cgiRoot, "hello.cgi");
        if (File.Exists(demo) && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(demo, File.GetUnixFileMode(demo) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        // A root that is not there stops the start (MapCgi throws), as a missing Streaming:Files:Root does: a typo in
        // the setting must not quietly turn every /cgi-bin request into a 404.
        app.MapCgi("/cgi-bin", cgiRoot);

        return app;
    }
}
