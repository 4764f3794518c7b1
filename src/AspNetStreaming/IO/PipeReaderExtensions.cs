using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace AspNetStreaming.IO;

/// <summary>Reading lines from a <see cref="PipeReader"/> and copying a <see cref="PipeReader"/> into a file.</summary>
public static class PipeReaderExtensions
{
    /// <summary>Reads one line terminated by LF (a CR before the LF is removed). At end of data, returns the
    /// unterminated remainder if there is one, else <see langword="null"/>.</summary>
    /// <param name="reader">The reader to consume from; bytes after the line stay unread.</param>
    /// <param name="maxLineLength">The most bytes a line may have, not counting its terminator. Memory use is
    /// bounded by this value: a longer line throws instead of being buffered.</param>
    /// <param name="encoding">How to decode the line; UTF-8 when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="LineTooLongException">The line is longer than <paramref name="maxLineLength"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled, or the pending
    /// read was (<see cref="PipeReader.CancelPendingRead"/>) before a whole line arrived; no byte is consumed.</exception>
    public static async ValueTask<string?> ReadLineAsync(this PipeReader reader, int maxLineLength, Encoding? encoding = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLineLength);
        encoding ??= Encoding.UTF8;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var newline = buffer.PositionOf((byte)'\n');
            if (newline is { } end)
            {
                var line = buffer.Slice(0, end);
                if (TrimCarriageReturn(line).Length > maxLineLength)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new LineTooLongException(maxLineLength);
                }

                var text = encoding.GetString(TrimCarriageReturn(line));
                reader.AdvanceTo(buffer.GetPosition(1, end));
                return text;
            }

            // +1 leaves room for a CR that may turn out to precede the LF.
            if (buffer.Length > (long)maxLineLength + 1)
            {
                reader.AdvanceTo(buffer.Start);
                throw new LineTooLongException(maxLineLength);
            }

            if (result.IsCanceled && !result.IsCompleted)
            {
                // CancelPendingRead is not the end of the data: half a line is not a line. The bytes stay unread
                // for the next call.
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw new OperationCanceledException("The read was cancelled (PipeReader.CancelPendingRead) before a whole line arrived.");
            }

            if (result.IsCompleted)
            {
                if (buffer.IsEmpty)
                {
                    reader.AdvanceTo(buffer.End);
                    return null;
                }

                if (buffer.Length > maxLineLength)
                {
                    reader.AdvanceTo(buffer.Start);
                    throw new LineTooLongException(maxLineLength);
                }

                var rest = encoding.GetString(buffer);
                reader.AdvanceTo(buffer.End);
                return rest;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Copies everything the reader yields into <paramref name="file"/> starting at
    /// <paramref name="offset"/>, writing straight from the reader's buffer segments (one gather write per
    /// buffer, no intermediate copy, no per-write allocation). Waiting for the next read is the backpressure on
    /// the producer side. Every buffer is written before it is consumed, so on any failure the file holds a
    /// prefix of the data: exactly the bytes that reached it.</summary>
    /// <param name="reader">The source; read to completion but not completed by this method.</param>
    /// <param name="file">A file opened for writing at offsets.</param>
    /// <param name="offset">Where the first byte goes.</param>
    /// <param name="maxBytes">The most bytes to accept; a negative value means no limit. Nothing past the
    /// limit is written.</param>
    /// <param name="observer">Called with each buffer while its write runs (for example to update a hash), so
    /// observing costs CPU but not wall-clock time. It must only read the buffer.</param>
    /// <param name="minWriteSize">Buffer at least this many bytes (by leaving them unconsumed in the pipe) before
    /// writing, except at the end of the data. Sources such as Kestrel hand out 4 KiB blocks, and a write per
    /// few blocks costs a system call and a thread-pool hop each; keep it well under the pipe's pause threshold
    /// or the copy stalls. 0 writes whatever each read returns.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ContentTooLargeException">More than <paramref name="maxBytes"/> bytes arrived.</exception>
    public static async ValueTask<long> CopyToFileAsync(this PipeReader reader, AsyncFile file, long offset,
        long maxBytes = -1, Action<ReadOnlySequence<byte>>? observer = null, int minWriteSize = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegative(minWriteSize);
        long written = 0;
        var examined = ReadOnlySequence<byte>.Empty;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch when (!examined.IsEmpty)
            {
                // The body broke off (a reset, an early end, a timeout) while bytes waited for more to join them: they
                // arrived, so they are written before the failure goes up (a resumable append keeps them). The pipe
                // still owns them, unconsumed, until the request ends.
                await WriteQuietlyAsync(file, offset + written, examined, observer).ConfigureAwait(false);
                throw;
            }

            var buffer = result.Buffer;
            examined = ReadOnlySequence<byte>.Empty;
            if (maxBytes >= 0 && written + buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.Start);
                throw new ContentTooLargeException(maxBytes);
            }

            if (buffer.Length < minWriteSize && !result.IsCompleted && !result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start, buffer.End); // examined, not consumed: wait for more
                examined = buffer;
                continue;
            }

            try
            {
                if (!buffer.IsEmpty)
                {
                    var write = file.WriteAsync(offset + written, buffer, cancellationToken);
                    try
                    {
                        observer?.Invoke(buffer);
                    }
                    finally
                    {
                        await write.ConfigureAwait(false);
                    }

                    written += buffer.Length;
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.End);
            }

            if (result.IsCompleted)
            {
                return written;
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The pipe read was canceled.");
            }
        }
    }

    private static ReadOnlySequence<byte> TrimCarriageReturn(ReadOnlySequence<byte> line)
    {
        if (line.IsEmpty)
        {
            return line;
        }

        var lastPosition = line.GetPosition(line.Length - 1);
        return line.Slice(lastPosition).FirstSpan[0] == (byte)'\r' ? line.Slice(0, line.Length - 1) : line;
    }

    private static async ValueTask WriteQuietlyAsync(AsyncFile file, long offset, ReadOnlySequence<byte> buffer, Action<ReadOnlySequence<byte>>? observer)
    {
        try
        {
            await file.WriteAsync(offset, buffer, CancellationToken.None).ConfigureAwait(false);
            observer?.Invoke(buffer);
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The failure that ended the body is the one to report; the file keeps the prefix it has.
        }
    }
}
