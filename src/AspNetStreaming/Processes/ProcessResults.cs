using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Processes;

/// <summary>Factories for process results, in the style of <see cref="Results"/>.</summary>
public static class ProcessResults
{
    /// <summary>Runs one program: the request body into its stdin, its stdout as the response body.</summary>
    /// <param name="command">The program and its arguments.</param>
    /// <param name="options">The options; the registered <c>Streaming:Processes</c> options when <see langword="null"/>.</param>
    /// <param name="streamRequestBody">Whether the request body goes to stdin; otherwise stdin is closed at once.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException"><paramref name="options"/> has a setting out of range.</exception>
    public static ProcessHttpResult Run(ProcessCommand command, ProcessOptions? options = null, bool streamRequestBody = true)
    {
        ArgumentNullException.ThrowIfNull(command);
        options?.Validate(); // checked when the result is made, as a mapping's options are when mapped
        return new([command], options, gate: null, streamRequestBody);
    }

    /// <summary>Runs a pipeline (<c>a | b | c</c> without a shell): the request body into the first program,
    /// the last program's stdout as the response body.</summary>
    /// <param name="pipeline">The programs, first to last.</param>
    /// <param name="options">The options; the registered <c>Streaming:Processes</c> options when <see langword="null"/>.</param>
    /// <param name="streamRequestBody">Whether the request body goes to stdin; otherwise stdin is closed at once.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException"><paramref name="options"/> has a setting out of range.</exception>
    public static ProcessHttpResult Pipeline(IReadOnlyList<ProcessCommand> pipeline, ProcessOptions? options = null, bool streamRequestBody = true)
    {
        options?.Validate(); // checked when the result is made, as a mapping's options are when mapped
        return new(pipeline, options, gate: null, streamRequestBody);
    }
}
