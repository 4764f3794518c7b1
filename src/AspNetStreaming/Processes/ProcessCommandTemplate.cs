using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Processes;

/// <summary>A program whose arguments are bound per request (see <see cref="ProcessArgument"/>).</summary>
public sealed class ProcessCommandTemplate
{
    /// <summary>Creates a template.</summary>
    /// <param name="fileName">The program: fixed, never from the request.</param>
    /// <param name="arguments">The arguments: literals (strings convert implicitly) or bound values.</param>
    public ProcessCommandTemplate(string fileName, params IEnumerable<ProcessArgument> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        FileName = fileName;
        Arguments = [.. arguments];
    }

    /// <summary>The program.</summary>
    public string FileName { get; }

    /// <summary>The argument templates.</summary>
    public IReadOnlyList<ProcessArgument> Arguments { get; }

    /// <summary>The exit codes that mean the program succeeded (see <see cref="ProcessCommand.SuccessExitCodes"/>).</summary>
    public IReadOnlyCollection<int> SuccessExitCodes { get; init; } = ProcessCommand.DefaultSuccessExitCodes;

    /// <summary>A template from a fixed command.</summary>
    public static ProcessCommandTemplate FromCommand(ProcessCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new(command.FileName, command.Arguments.Select(ProcessArgument.Literal)) { SuccessExitCodes = command.SuccessExitCodes };
    }

    /// <summary>Binds every argument for a request.</summary>
    /// <returns>Whether all were acceptable; otherwise <paramref name="error"/> says which and why.</returns>
    public bool TryBind(HttpContext context, out ProcessCommand? command, out string? error)
    {
        var values = new string[Arguments.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (!Arguments[i].TryBind(context, out values[i], out error))
            {
                command = null;
                return false;
            }
        }

        command = new ProcessCommand(FileName, values) { SuccessExitCodes = SuccessExitCodes };
        error = null;
        return true;
    }
}
