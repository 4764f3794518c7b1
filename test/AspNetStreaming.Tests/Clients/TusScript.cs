using System.Text.Json;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Clients;

/// <summary>Runs test/js/tus-upload.mjs (tus-js-client) and reads its one-line JSON result.</summary>
internal static class TusScript
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    public static async Task<TusOutcome> UploadAsync(string[] arguments, Func<string, StreamWriter, Task>? onLine = null)
    {
        var run = await NodeScript.RunAsync("tus-upload.mjs", arguments, RunTimeout, onLine);
        var outcome = Parse(run.LastLine);
        Assert.True(outcome is not null, $"tus-upload.mjs printed no result line: {run}");
        return outcome with { Run = run };
    }

    public static TusOutcome? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<TusOutcome>(line, JsonSerializerOptions.Web) is { Event: not null } outcome ? outcome : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>tus-upload.mjs's result line.</summary>
internal sealed record TusOutcome(string? Event, string? Url, long Accepted, int Chunks, int Checksummed, int? Status, string? Interop, string? Message, string? Body)
{
    public NodeRun? Run { get; init; }

    public override string ToString() => $"{Event} (status {Status}: {Message}; {Body}) at {Accepted} bytes after {Chunks} chunks, url {Url}; {Run}";
}
