using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Transport;

/// <summary>
/// Marks the failures of the request body itself (<see cref="ClientBodyException"/>), so an upload or a program fed the body tells a client
/// that left from a disk that failed. It matters on HTTP/2: a stream the client resets fails the body read with a
/// plain <see cref="IOException"/> before Kestrel signals <see cref="HttpContext.RequestAborted"/>, and the file's
/// own errors are <see cref="IOException"/>s too. Kestrel's <see cref="BadHttpRequestException"/>s (too large, too
/// slow, malformed framing) pass through as they are.
/// </summary>
internal sealed class ClientBodyPipeReader(PipeReader inner) : PipeReader
{
    public override bool TryRead(out ReadResult result)
    {
        try
        {
            return inner.TryRead(out result);
        }
        catch (IOException error) when (error is not BadHttpRequestException)
        {
            throw new ClientBodyException(error);
        }
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ReadCancellablyAsync(cancellationToken);
        }

        ValueTask<ReadResult> pending;
        try
        {
            pending = inner.ReadAsync(cancellationToken);
        }
        catch (IOException error) when (error is not BadHttpRequestException)
        {
            throw new ClientBodyException(error);
        }

        return pending.IsCompletedSuccessfully ? pending : AwaitAsync(pending);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ReadResult> AwaitAsync(ValueTask<ReadResult> pending)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (IOException error) when (error is not BadHttpRequestException)
        {
            throw new ClientBodyException(error);
        }
    }

    // A read cancelled through its token leaves Kestrel's request body, and the connection's pipe under it, in the
    // middle of a read: Kestrel's own drain of the body afterwards fails ("Reading is already in progress") and the
    // connection ends abnormally. CancelPendingRead ends the read with a result instead, which is advanced past (its
    // bytes stay unconsumed, for the drain) before the cancellation is thrown as the token's.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadCancellablyAsync(CancellationToken cancellationToken)
    {
        ReadResult result;
        using (cancellationToken.UnsafeRegister(static reader => CancelQuietly((PipeReader)reader!), inner))
        {
            try
            {
                result = await inner.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (IOException error) when (error is not BadHttpRequestException)
            {
                throw new ClientBodyException(error);
            }
        }

        if (result.IsCanceled && cancellationToken.IsCancellationRequested)
        {
            inner.AdvanceTo(result.Buffer.Start);
            throw new OperationCanceledException(cancellationToken);
        }

        return result;
    }

    // Runs inside the token's callbacks (RequestAborted's among them): a body Kestrel has already aborted throws from
    // CancelPendingRead (HTTP/2: "stream ID n error"), and a throw there is Kestrel's unhandled exception. The read it
    // would have ended fails on its own.
    internal static void CancelQuietly(PipeReader reader)
    {
        try
        {
            reader.CancelPendingRead();
        }
        catch (Exception error) when (error is IOException or InvalidOperationException or ObjectDisposedException)
        {
        }
    }

    public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => inner.CancelPendingRead();

    /// <summary>Completes nothing: the request body belongs to the server, which completes it itself.</summary>
    public override void Complete(Exception? exception = null)
    {
    }
}

/// <summary>The request body failed while being read (the client reset or closed it).</summary>
internal sealed class ClientBodyException(IOException inner) : IOException(inner.Message, inner);
