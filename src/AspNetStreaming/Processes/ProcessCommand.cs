namespace AspNetStreaming.Processes;

/// <summary>One program and its arguments, passed to the program as an argument vector
/// (<see cref="System.Diagnostics.ProcessStartInfo.ArgumentList"/>): never through a shell, so no quoting,
/// globbing or expansion ever applies to them.</summary>
public sealed class ProcessCommand
{
    /// <summary>Creates a command.</summary>
    /// <param name="fileName">The program: an absolute path, or a name looked up on the child's <c>PATH</c>.</param>
    /// <param name="arguments">The arguments, each passed as one argv entry.</param>
    public ProcessCommand(string fileName, IEnumerable<string> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        FileName = fileName;
        Arguments = [.. arguments];
        foreach (var argument in Arguments)
        {
            ArgumentNullException.ThrowIfNull(argument, nameof(arguments));
            if (argument.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException("An argument contains a NUL character.", nameof(arguments));
            }
        }
    }

    /// <summary>Creates a command from a program and its arguments.</summary>
    public ProcessCommand(string fileName, params string[] arguments)
        : this(fileName, (IEnumerable<string>)arguments)
    {
    }

    /// <summary>The program.</summary>
    public string FileName { get; }

    /// <summary>The arguments, one argv entry each.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The exit codes that mean the program succeeded; only 0 by default. Some programs answer with their exit
    /// code: <c>grep</c> exits 1 when no line matched (and 2 on an error such as an invalid pattern), <c>diff</c> and
    /// <c>cmp</c> exit 1 when the inputs differ; list such codes so that only a real failure fails the response.</summary>
    public IReadOnlyCollection<int> SuccessExitCodes { get; init; } = DefaultSuccessExitCodes;

    internal static readonly IReadOnlyCollection<int> DefaultSuccessExitCodes = [0];

    /// <summary>Creates a command (shorthand for the constructor).</summary>
    public static ProcessCommand Create(string fileName, params string[] arguments) => new(fileName, arguments);

    /// <inheritdoc />
    public override string ToString() => Arguments.Count == 0 ? FileName : FileName + " " + string.Join(' ', Arguments);
}
