using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Processes;

/// <summary>Starts the programs of a pipeline: finds each on the child's PATH, gives it only the environment it
/// is allowed, and makes it the leader of a new session and process group so the whole tree it forks can be
/// signalled at once.</summary>
internal static class ProcessLauncher
{
    private static readonly string? SetsidPath = FindExecutable("setsid", System.Environment.GetEnvironmentVariable("PATH"));

    /// <summary>Whether each stage leads its own process group (<c>setsid</c> was found on this machine); without
    /// it the framework's tree walk is the only way to kill a stage's children.</summary>
    public static bool UsesProcessGroups => SetsidPath is not null;

    /// <summary>Starts every stage, or none: when a stage fails to start, the ones already started are killed.</summary>
    /// <exception cref="ProcessStartException">A program is missing, not executable, or the working directory is bad.</exception>
    public static Process[] StartAll(IReadOnlyList<ProcessCommand> pipeline, string description, ProcessOptions options, ILogger logger, IReadOnlyDictionary<string, string>? extraEnvironment, string? workingDirectory)
    {
        if (workingDirectory is { } directory && !Directory.Exists(directory))
        {
            ProcessLog.StartFailed(logger, description, $"the working directory '{directory}' does not exist");
            throw new ProcessStartException($"The working directory '{directory}' does not exist.");
        }

        var stages = new List<Process>(pipeline.Count);
        try
        {
            foreach (var command in pipeline)
            {
                stages.Add(StartStage(command, options, logger, extraEnvironment, workingDirectory));
            }
        }
        catch
        {
            foreach (var started in stages)
            {
                ProcessTreeKiller.KillNow(started);
                started.Dispose();
            }

            throw;
        }

        return [.. stages];
    }

    /// <summary>The full path of <paramref name="name"/> (as given when it contains a slash, else the first
    /// executable match on <paramref name="searchPath"/>), or <see langword="null"/>.</summary>
    internal static string? FindExecutable(string name, string? searchPath)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return IsExecutableFile(name) ? Path.GetFullPath(name) : null;
        }

        foreach (var directory in (searchPath ?? ProcessOptions.DefaultPath).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Join(directory, name);
            if (IsExecutableFile(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="path"/> is an existing file with an execute bit set.</summary>
    internal static bool IsExecutableFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return false;
            }

            return (info.UnixFileMode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    private static Process StartStage(ProcessCommand command, ProcessOptions options, ILogger logger, IReadOnlyDictionary<string, string>? extraEnvironment, string? workingDirectory)
    {
        var info = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };

        SetEnvironment(info, options, extraEnvironment);
        info.Environment.TryGetValue("PATH", out var childPath);
        var program = FindExecutable(command.FileName, childPath);
        if (program is null)
        {
            ProcessLog.StartFailed(logger, command.FileName, "not found or not executable");
            throw new ProcessStartException($"The program '{command.FileName}' was not found or is not executable.");
        }

        // setsid makes the program the leader of a new session and process group (it execs, it does not fork,
        // because our child is not a group leader), so one kill(-pgid) reaches every process it starts.
        if (SetsidPath is not null)
        {
            info.FileName = SetsidPath;
            info.ArgumentList.Add(program);
        }
        else
        {
            info.FileName = program;
        }

        foreach (var argument in command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(info) ?? throw new ProcessStartException($"The program '{program}' could not be started.");
        }
        catch (Win32Exception error)
        {
            ProcessLog.StartFailed(logger, program, error.Message);
            throw new ProcessStartException($"The program '{program}' could not be started: {error.Message}", error);
        }
    }

    private static void SetEnvironment(ProcessStartInfo info, ProcessOptions options, IReadOnlyDictionary<string, string>? extraEnvironment)
    {
        // Nothing from the host's environment unless allowed by name.
        info.Environment.Clear();
        foreach (var name in options.EnvironmentAllowList)
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
            {
                info.Environment[name] = value;
            }
        }

        foreach (var (name, value) in options.Environment)
        {
            info.Environment[name] = value;
        }

        if (extraEnvironment is not null)
        {
            foreach (var (name, value) in extraEnvironment)
            {
                info.Environment[name] = value;
            }
        }
    }
}
