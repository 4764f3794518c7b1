using AspNetStreaming.Processes;

namespace BenchServer;

/// <summary>Process endpoints for the process bench: a file streamed through <c>cat</c> as the response.</summary>
internal static class ProcessPeers
{
    public static void MapProcessPeers(this WebApplication app, string data)
    {
        // GET /ours/process/cat/{name}: `cat name` (run in the data folder) as the response body.
        app.MapProcess("/ours/process/cat/{name}",
            new ProcessCommandTemplate("cat", ProcessArgument.FromRoute<string>("name", new ProcessArgumentRules { Pattern = "^[A-Za-z0-9._-]+$" })),
            o => o.WorkingDirectory = data, [HttpMethods.Get]);
    }
}
