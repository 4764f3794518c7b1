using System.Diagnostics;
using System.Text;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Clients;

/// <summary>Runs the Node scripts in test/js (real JavaScript clients) with the machine's <c>node</c>.</summary>
internal static class NodeScript
{
    /// <summary>The repository's test/js folder (package.json, the scripts, node_modules once installed).</summary>
    public static string Folder { get; } = Path.Join(FindRepoRoot(), "test", "js");

    /// <summary>Fails the test, saying how to fix it, when <paramref name="package"/> is not installed in test/js.</summary>
    public static void RequirePackage(string package)
    {
        if (!File.Exists(Path.Join(Folder, "node_modules", package, "package.json")))
        {
            Assert.Fail($"{Path.Join(Folder, "node_modules", package)} is missing: run npm ci --prefix test/js; .ci/run does.");
        }
    }

    /// <summary>Runs <c>node {script} {arguments}</c> in test/js, reading stdout and stderr concurrently; kills the
    /// process tree and fails the test when it has not exited within <paramref name="timeout"/>. With
    /// <paramref name="onLine"/>, each stdout line is handed to it with the script's stdin (a test checks the server
    /// midway and then tells the script to go on); without, stdin is closed at once. When <paramref name="onLine"/>
    /// throws, the process is killed and the exception propagates.</summary>
    public static async Task<NodeRun> RunAsync(string script, IEnumerable<string> arguments, TimeSpan timeout,
        Func<string, StreamWriter, Task>? onLine = null)
    {
        using var process = CommandLine.Start("node", [script, .. arguments], Folder, "install Node.js (apt-get install nodejs npm; .ci/run does)");

        if (onLine is null)
        {
            process.StandardInput.Close(); // EOF rather than the test host's stdin
        }

        var stdout = new StringBuilder();
        var stderr = process.StandardError.ReadToEndAsync();
        var reading = ReadLinesAsync(process, stdout, onLine);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await reading.WaitAsync(deadline.Token);
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            string soFar;
            lock (stdout)
            {
                soFar = stdout.ToString();
            }

            Assert.Fail($"node {script} did not exit within {timeout.TotalSeconds} s and was killed; stdout: {soFar}; stderr: {await stderr}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        return new NodeRun(process.ExitCode, stdout.ToString(), await stderr);
    }

    private static async Task ReadLinesAsync(Process process, StringBuilder stdout, Func<string, StreamWriter, Task>? onLine)
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            lock (stdout)
            {
                stdout.AppendLine(line);
            }

            if (onLine is not null)
            {
                await onLine(line, process.StandardInput);
            }
        }
    }

    private static string FindRepoRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Join(folder.FullName, "AspNetStreaming.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No AspNetStreaming.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>How a node run ended: its exit code and everything it wrote.</summary>
internal sealed record NodeRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The run's last stdout line (the scripts print their result there as one JSON line).</summary>
    public string LastLine => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";

    public override string ToString() => $"exit {ExitCode}; stdout: {Stdout.Trim()}; stderr: {Stderr.Trim()}";
}
