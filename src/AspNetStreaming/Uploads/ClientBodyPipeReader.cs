using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>
/// Marks the failures of the request body itself (<see cref="ClientBodyException"/>), so an upload tells a client
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
