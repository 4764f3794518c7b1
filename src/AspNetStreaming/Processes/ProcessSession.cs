using System.IO.Pipelines;

namespace AspNetStreaming.Processes;

/// <summary>
/// The one skeleton of running a started pipeline, shared by <see cref="ProcessHttpResult"/>, CGI and
/// <see cref="ProcessRunner"/>: it kills the trees when the caller aborts, feeds stdin from the input while
/// the caller pumps stdout through <see cref="Output"/>, stops feeding and waits for the feed when the caller is
/// done, and says how the run ended. Disposing the output (at the end of <see cref="RunAsync{T}"/>) disposes the
/// run, which kills whatever is left of the trees.
/// </summary>
internal sealed class ProcessSession
{
    private readonly CancellationTokenSource _stopFeeding;
    private readonly Task<Exception?> _feed;

    private ProcessSession(ProcessPipelineRun run, ProcessOutputBodyProducer output, PipeReader? input, CancellationTokenSource stopFeeding, CancellationToken aborted)
    {
        Run = run;
        Output = output;
        Aborted = aborted;
        _stopFeeding = stopFeeding;
        _feed = StdinFeed.RunAsync(run, input, stopFeeding.Token);
    }

    /// <summary>The pipeline.</summary>
    public ProcessPipelineRun Run { get; }

    /// <summary>The last stage's stdout, with the idle timer and the output limit applied.</summary>
    public ProcessOutputBodyProducer Output { get; }

    /// <summary>The caller's abort (the client went away, the caller cancelled): it kills the trees.</summary>
    public CancellationToken Aborted { get; }

    /// <summary>Runs <paramref name="pumpOutput"/> against the started <paramref name="run"/>, with
    /// <paramref name="input"/> streamed into stdin meanwhile.</summary>
    /// <param name="run">The pipeline, just started; the session owns it from here.</param>
    /// <param name="input">What goes into stdin, or <see langword="null"/> to close stdin at once.</param>
    /// <param name="pumpOutput">Reads stdout (through <see cref="Output"/>) and answers the caller.</param>
    /// <param name="aborted">Kills the trees (<see cref="ProcessKillReason.Cancelled"/>) and stops feeding.</param>
    public static async Task<T> RunAsync<T>(ProcessPipelineRun run, PipeReader? input, Func<ProcessSession, Task<T>> pumpOutput, CancellationToken aborted)
    {
        var output = new ProcessOutputBodyProducer(run);

        // An abort is logged and counted as Cancelled whichever path reaches the run first. When a client leaves,
        // Kestrel fails the response's flush at once but cancels RequestAborted later (on the thread pool); the
        // failed flush closes the output, which disposes the still-running run before our registration fires.
        // And a cancelled token runs the output's own registration before ours (last registered, first run). So
        // a run abandoned after the abort, or once output went to the consumer, was left by the consumer. One
        // abandoned before any output went out was the caller's choice (HEAD, a CGI local redirect): Leftover.
        run.ReasonWhenAbandoned = () => aborted.IsCancellationRequested || output.BytesProduced > 0 ? ProcessKillReason.Cancelled : ProcessKillReason.Leftover;
        await using (output.ConfigureAwait(false))
        {
            using var killOnAbort = aborted.UnsafeRegister(static state => _ = ((ProcessPipelineRun)state!).KillAsync(ProcessKillReason.Cancelled), run);
            using var stopFeeding = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            var session = new ProcessSession(run, output, input, stopFeeding, aborted);
            try
            {
                return await pumpOutput(session).ConfigureAwait(false);
            }
            finally
            {
                await session.EndInputAsync().ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc cref="RunAsync{T}"/>
    public static Task RunAsync(ProcessPipelineRun run, PipeReader? input, Func<ProcessSession, Task> pumpOutput, CancellationToken aborted)
        => RunAsync(run, input, async session =>
        {
            await pumpOutput(session).ConfigureAwait(false);
            return true;
        }, aborted);

    /// <summary>Stops feeding stdin (it is closed either way) and waits for the feed to end.</summary>
    /// <returns>The input's own error (the run was killed for it), or <see langword="null"/>.</returns>
    public async Task<Exception?> EndInputAsync()
    {
        await _stopFeeding.CancelAsync().ConfigureAwait(false);
        return await _feed.ConfigureAwait(false);
    }

    /// <summary>Waits for every stage to exit after the end of stdout (the idle timer runs meanwhile) and says
    /// how the run ended. The input's error is included once it is known (the feed has ended, or the run was
    /// killed for a failure); a feed still waiting for the client's body is not waited for.</summary>
    public async Task<ProcessExit> WaitForExitAsync()
    {
        var outcome = await Output.WaitForOutcomeAsync(Aborted).ConfigureAwait(false);
        var inputError = _feed.IsCompleted || outcome.KillReason == ProcessKillReason.Failure ? await _feed.ConfigureAwait(false) : null;
        return new ProcessExit(outcome, inputError);
    }
}
