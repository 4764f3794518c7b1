using System.Buffers;
using System.IO.Pipelines;

namespace AspNetStreaming.Processes;

/// <summary>Feeds a pipeline's stdin from a <see cref="PipeReader"/>, with the pipe's backpressure.</summary>
internal static class StdinFeed
{
    /// <summary>
    /// Streams <paramref name="body"/> into the first stage's stdin and closes stdin at its end (always, even
    /// for an empty body). The pipe's backpressure paces the reads: while the program does not read, no more
    /// of the body is read from the client. When the program closes its stdin early, feeding stops quietly;
    /// when the body itself fails (client gone, too large), the pipeline is killed and the error returned.
    /// </summary>
    /// <param name="run">The pipeline.</param>
    /// <param name="body">The body, or <see langword="null"/> to close stdin at once.</param>
    /// <param name="cancellationToken">Stops feeding (stdin is still closed).</param>
    /// <remarks>Each read takes what has arrived, never waiting for a batch: a client may be waiting for the echo of
    /// what it sent before it sends the rest (an interactive program, a duplex HTTP/2 stream), even when it
    /// announced the whole length.</remarks>
    public static async Task<Exception?> RunAsync(ProcessPipelineRun run, PipeReader? body, CancellationToken cancellationToken)
    {
        var stdin = run.StandardInput;
        var batchSize = run.Options.ReadSize;
        byte[]? batch = null;
        try
        {
            while (body is not null)
            {
                ReadResult result;
                try
                {
                    result = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
                catch (Exception error)
                {
                    // A client that left (the request reader marks its failures, a reset among them) is a cancellation, as
                    // on any other path it leaves by; a body refused (too large, malformed) is the request's failure.
                    await run.KillAsync(error is Transport.ClientBodyException ? ProcessKillReason.Cancelled : ProcessKillReason.Failure).ConfigureAwait(false);
                    return error;
                }

                var buffer = result.Buffer;
                var stdinClosed = false;
                try
                {
                    if (buffer.IsSingleSegment || buffer.FirstSpan.Length >= batchSize)
                    {
                        foreach (var segment in buffer)
                        {
                            await stdin.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        // Kestrel hands the body over in 4 KiB blocks; one pipe write per block costs a system
                        // call and a wake-up each. Gathering them into one large write costs a memory copy.
                        batch ??= ArrayPool<byte>.Shared.Rent(batchSize);
                        var remaining = buffer;
                        while (!remaining.IsEmpty)
                        {
                            var take = (int)Math.Min(batch.Length, remaining.Length);
                            remaining.Slice(0, take).CopyTo(batch);
                            await stdin.WriteAsync(batch.AsMemory(0, take), cancellationToken).ConfigureAwait(false);
                            remaining = remaining.Slice(take);
                        }
                    }
                }
                catch (Exception error) when (error is IOException or ObjectDisposedException or OperationCanceledException)
                {
                    // The program closed its stdin or exited: like a shell, stop writing.
                    stdinClosed = true;
                }

                body.AdvanceTo(buffer.End);
                if (stdinClosed || result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }

            return null;
        }
        finally
        {
            if (batch is not null)
            {
                ArrayPool<byte>.Shared.Return(batch);
            }

            try
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception error) when (error is IOException or ObjectDisposedException)
            {
                // EPIPE on close: the program is gone.
            }
        }
    }
}
