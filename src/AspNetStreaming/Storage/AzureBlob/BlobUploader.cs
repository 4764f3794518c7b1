using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace AspNetStreaming.Storage.AzureBlob;

/// <summary>
/// Stages a body into a block blob as it streams: gathered into blocks of the configured size, each staged while the
/// next fills (at most <c>maxConcurrency</c> in flight, so an upload holds at most that many blocks of memory), and
/// committed with one <c>CommitBlockList</c> under the write's conditions: the service's own atomic publish, before
/// which nothing of the upload is visible. Block ids carry a per-upload id, so two uploads of one name at once never
/// mix their blocks: the last commit wins, whole. A failure commits nothing; the staged blocks are dropped by the
/// service (after 7 days, or at the name's next commit).
/// </summary>
internal static partial class BlobUploader
{
    /// <summary>Stages the body as blocks; the result commits them.</summary>
    public static async Task<StagedWrite> StageAsync(BlockBlobClient blob, PipeReader body, StoreWriteOptions options, int blockSize,
        int maxConcurrency, int maxBlocks, CancellationToken cancellationToken)
        => await StageBlocksAsync(blob, body, options, blockSize, maxConcurrency, maxBlocks, keepOnInterruption: false, cancellationToken, cancellationToken)
            .ConfigureAwait(false);

    /// <summary>Stages the body as blocks. With <paramref name="keepOnInterruption"/>, a body that fails midway (or
    /// goes past the limit) does not fail the staging: what arrived is staged, a last short block included, and the
    /// result says why it ended (a resumable upload keeps those bytes). The service calls run on
    /// <paramref name="storeCancellation"/>, so the blocks of a client that went away are still staged. A body that
    /// needs more than <paramref name="maxBlocks"/> blocks is too large: a block blob holds at most 50,000 of them, and
    /// finding out at the commit would waste the whole upload.</summary>
    public static async Task<StagedBlob> StageBlocksAsync(BlockBlobClient blob, PipeReader body, StoreWriteOptions options, int blockSize,
        int maxConcurrency, int maxBlocks, bool keepOnInterruption, CancellationToken cancellationToken, CancellationToken storeCancellation)
    {
        var blocksHold = (long)Math.Max(maxBlocks, 1) * blockSize;
        var limit = Math.Min(options.MaxBytes, blocksHold);
        var upload = Guid.NewGuid();
        Exception? interruption = null;
        var ids = new List<string>();
        var inFlight = new Queue<(Task Staging, byte[] Buffer)>();
        byte[]? block = null;
        var filled = 0;
        long total = 0;
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception error) when (keepOnInterruption && !AzureBlobErrors.IsUnavailable(error, cancellationToken))
                {
                    interruption = error;
                    break;
                }

                var buffer = result.Buffer;
                if (total + buffer.Length > limit)
                {
                    var tooLarge = new StoreException(StoreErrorKind.TooLarge, limit < options.MaxBytes
                        ? $"The body is larger than the {limit} bytes the blob can take: {maxBlocks} more blocks of {blockSize} bytes (a block blob holds at most {AzureBlobFileStore.ServiceMaxBlocks})."
                        : $"The body is larger than {options.MaxBytes} bytes.") { Limit = limit };
                    if (!keepOnInterruption)
                    {
                        throw tooLarge;
                    }

                    body.AdvanceTo(buffer.Start);
                    interruption = tooLarge;
                    break;
                }

                try
                {
                    options.Observer?.Invoke(buffer);
                    foreach (var segment in buffer)
                    {
                        for (var rest = segment; !rest.IsEmpty;)
                        {
                            block ??= ArrayPool<byte>.Shared.Rent(blockSize);
                            var count = Math.Min(rest.Length, blockSize - filled);
                            rest.Span[..count].CopyTo(block.AsSpan(filled));
                            filled += count;
                            rest = rest[count..];
                            if (filled == blockSize)
                            {
                                await StageAsync(blob, upload, ids, inFlight, block, filled, maxConcurrency, storeCancellation).ConfigureAwait(false);
                                (block, filled) = (null, 0);
                            }
                        }
                    }
                }
                catch
                {
                    // The store failed mid-buffer: the read still ends here, or Kestrel finds the request body mid-read
                    // when it drains it ("the body reader is in an invalid state").
                    body.AdvanceTo(buffer.Start, buffer.End);
                    throw;
                }

                total += buffer.Length;
                if (options.Received is { } received)
                {
                    received.Value = total;
                }

                body.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            if (filled > 0)
            {
                await StageAsync(blob, upload, ids, inFlight, block!, filled, maxConcurrency, storeCancellation).ConfigureAwait(false);
                block = null;
            }

            while (inFlight.TryDequeue(out var staging))
            {
                await staging.Staging.ConfigureAwait(false);
                ArrayPool<byte>.Shared.Return(staging.Buffer);
            }

            return new StagedBlob(blob, ids, total) { Interruption = interruption };
        }
        catch (Exception error) when (AzureBlobErrors.IsUnavailable(error, cancellationToken.IsCancellationRequested ? cancellationToken : storeCancellation))
        {
            throw AzureBlobErrors.Unavailable(error);
        }
        finally
        {
            // Buffers go back only once no staging reads them any more.
            while (inFlight.TryDequeue(out var staging))
            {
                try
                {
                    await staging.Staging.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The upload failed already; this block's own failure adds nothing.
                }

                ArrayPool<byte>.Shared.Return(staging.Buffer);
            }

            if (block is not null)
            {
                ArrayPool<byte>.Shared.Return(block);
            }
        }
    }

    private static async Task StageAsync(BlockBlobClient blob, Guid upload, List<string> ids, Queue<(Task, byte[])> inFlight, byte[] block,
        int length, int maxConcurrency, CancellationToken cancellationToken)
    {
        if (inFlight.Count >= maxConcurrency)
        {
            var (oldest, buffer) = inFlight.Dequeue();
            await oldest.ConfigureAwait(false);
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var id = BlockId(upload, ids.Count);
        ids.Add(id);
        inFlight.Enqueue((blob.StageBlockAsync(id, new MemoryStream(block, 0, length, writable: false), cancellationToken: cancellationToken), block));
    }

    /// <summary>A block id of <paramref name="upload"/>'s: all of a blob's ids have this length.</summary>
    public static string BlockId(Guid upload, int index)
    {
        Span<byte> bytes = stackalloc byte[20];
        upload.TryWriteBytes(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes[16..], index);
        return Convert.ToBase64String(bytes);
    }
}

/// <summary>The staged blocks of one body, committed in order; <see cref="Interruption"/> says why a body kept on
/// interruption ended early.</summary>
internal sealed class StagedBlob(BlockBlobClient blob, List<string> ids, long length) : StagedWrite
{
    public override long Length => length;

    public IReadOnlyList<string> Ids => ids;

    public Exception? Interruption { get; init; }

    public override Task<StoreWriteResult> CommitAsync(StoreWriteOptions options, CancellationToken cancellationToken)
        => BlobUploader.CommitAsync(blob, ids, length, options, cancellationToken);
}
