using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AspNetStreaming.Processes;

/// <summary>
/// Runs programs from code that is not an endpoint (pycos <c>communicate</c>, with the exit code): input from
/// bytes, a file or a <see cref="PipeReader"/> streamed into stdin (always closed afterwards), stdout collected,
/// stderr drained into the log and its end kept. The same limits, timeouts and tree kill as endpoints apply;
/// cancelling kills the tree.
/// </summary>
public static class ProcessRunner
{
    /// <summary>Runs one program to its end.</summary>
    /// <param name="command">The program and its arguments.</param>
    /// <param name="input">What goes to its stdin; nothing (stdin closed at once) when <see langword="null"/>.</param>
    /// <param name="options">Limits, timeouts and environment; the defaults of <see cref="ProcessOptions"/> when <see langword="null"/>.</param>
    /// <param name="logger">Where stderr and the kill reasons go; nowhere when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run: the whole tree is killed.</param>
    /// <returns>The exit code, stdout and the end of stderr; a non-zero exit is a result, not an exception.</returns>
    /// <exception cref="ProcessStartException">The program is missing or cannot be executed.</exception>
    public static Task<ProcessResult> CommunicateAsync(ProcessCommand command, ProcessInput? input = null, ProcessOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return CommunicateAsync([command], input ?? ProcessInput.None, options, logger, cancellationToken);
    }

    /// <summary>Runs a pipeline to its end.</summary>
    /// <param name="pipeline">The programs, first to last.</param>
    /// <param name="input">What goes into the first program's stdin.</param>
    /// <param name="options">Limits, environment and working directory; defaults when <see langword="null"/>.</param>
    /// <param name="logger">Where stderr lines go; nowhere when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Kills the tree and throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>The exit codes, stdout and the end of stderr. A non-zero exit is a result, not an exception.</returns>
    /// <exception cref="ProcessStartException">A program could not be started.</exception>
    /// <exception cref="IO.ContentTooLargeException">stdout exceeded <see cref="ProcessOptions.MaxOutputBytes"/> (the tree was killed).</exception>
    public static async Task<ProcessResult> CommunicateAsync(IReadOnlyList<ProcessCommand> pipeline, ProcessInput input, ProcessOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(input);
        options ??= new ProcessOptions();
        options.Validate();
        logger ??= NullLogger.Instance;
        var run = ProcessPipelineRun.Start(pipeline, options, logger);
        PipeReader? reader;
        try
        {
            reader = input.OpenReader();
        }
        catch
        {
            await run.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        try
        {
            var (outcome, output) = await ProcessSession.RunAsync(run, reader, CollectAsync, cancellationToken).ConfigureAwait(false);

            // The session disposed the run, so every stderr drain has ended and the tail is whole.
            return new ProcessResult(outcome.ExitCodes, output, run.GetStderrBytes(), outcome.KillReason, outcome.Succeeded);
        }
        finally
        {
            if (reader is not null && input.Reader is null)
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Collects stdout to its end, then the outcome; the input's failure is an exception, a failed
    /// program is not.</summary>
    private static async Task<(ProcessOutcome Outcome, byte[] Output)> CollectAsync(ProcessSession session)
    {
        var cancellationToken = session.Aborted;
        using var output = new MemoryStream();
        var writer = PipeWriter.Create(output, new StreamPipeWriterOptions(leaveOpen: true));
        Exception? inputError;
        try
        {
            await session.Output.ProduceAsync(writer, cancellationToken).ConfigureAwait(false);
        }
        catch (ProcessFailedException)
        {
            // A failed program is a result here: the exit codes are returned below.
        }
        finally
        {
            await writer.CompleteAsync().ConfigureAwait(false);
            inputError = await session.EndInputAsync().ConfigureAwait(false);
        }

        if (inputError is not null && !cancellationToken.IsCancellationRequested)
        {
            throw new IOException("The input could not be read.", inputError);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var exit = await session.WaitForExitAsync().ConfigureAwait(false);
        return (exit.Outcome, output.ToArray());
    }
}
