using System.ComponentModel;
using System.Diagnostics;

namespace AspNetStreaming.Tests.Infrastructure;

/// <summary>Runs a real client program (curl, aria2c, …) to its end: arguments as a list (never a shell), stdout and
/// stderr read concurrently, the process killed and the test failed when it outlives <c>timeout</c>.</summary>
internal static class CommandLine
{
    /// <summary>Starts <paramref name="program"/> with stdin, stdout and stderr redirected; fails the test, with
    /// <paramref name="installHint"/>, when it cannot be started.</summary>
    public static Process Start(string program, IEnumerable<string> arguments, string? workingDirectory, string installHint,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception error)
        {
            process.Dispose();
            Assert.Fail($"Cannot start {program} ({error.Message}): {installHint}.");
        }

        return process;
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Start(program, arguments, workingDirectory, "install it (.ci/run does)", environment);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{program} did not exit within {timeout.TotalSeconds} s and was killed; stderr: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
