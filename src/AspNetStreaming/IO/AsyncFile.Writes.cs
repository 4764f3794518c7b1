using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace AspNetStreaming.IO;

/// <summary>Writes: at offsets (single buffers and gather writes straight from a sequence's segments) and appends.</summary>
public sealed partial class AsyncFile
{
    /// <summary>Writes all of <paramref name="buffer"/> at <paramref name="offset"/>.</summary>
    /// <exception cref="InvalidOperationException">The file was opened in append mode or read-only.</exception>
    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfNotPositionalWriter();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return RandomAccess.WriteAsync(_handle, buffer, offset, cancellationToken);
    }

    /// <summary>Writes every segment of <paramref name="buffers"/> at <paramref name="offset"/> onwards with one
    /// gather write (no copy into a contiguous buffer).</summary>
    /// <remarks>Not safe to call concurrently on one instance: the segment list is reused to avoid allocating.</remarks>
    /// <exception cref="InvalidOperationException">The file was opened in append mode or read-only.</exception>
    public ValueTask WriteAsync(long offset, ReadOnlySequence<byte> buffers, CancellationToken cancellationToken = default)
    {
        ThrowIfNotPositionalWriter();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return WriteSequenceAsync(offset, buffers, cancellationToken);
    }

    /// <summary>Writes <paramref name="buffer"/> within <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">The timeout elapsed; how much of the buffer reached the file is unknown.</exception>
    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfExpired(timeout);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await WriteAsync(offset, buffer, timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The write did not complete within {timeout}.");
        }
    }

    /// <summary>Appends <paramref name="buffer"/> at the end of an append-mode file.</summary>
    /// <exception cref="InvalidOperationException">The file was not opened with <see cref="OpenAppend(string)"/>.</exception>
    public async ValueTask AppendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAppender();
        await RandomAccess.WriteAsync(_handle, buffer, _appendPosition, cancellationToken).ConfigureAwait(false);
        _appendPosition += buffer.Length;
    }

    /// <summary>Appends every segment of <paramref name="buffers"/> with one gather write.</summary>
    /// <exception cref="InvalidOperationException">The file was not opened with <see cref="OpenAppend(string)"/>.</exception>
    public async ValueTask AppendAsync(ReadOnlySequence<byte> buffers, CancellationToken cancellationToken = default)
    {
        ThrowIfNotAppender();
        await WriteSequenceAsync(_appendPosition, buffers, cancellationToken).ConfigureAwait(false);
        _appendPosition += buffers.Length;
    }

    private async ValueTask WriteSequenceAsync(long offset, ReadOnlySequence<byte> buffers, CancellationToken cancellationToken)
    {
        if (buffers.IsSingleSegment)
        {
            await RandomAccess.WriteAsync(_handle, buffers.First, offset, cancellationToken).ConfigureAwait(false);
            return;
        }

        _gatherBuffers.Clear();
        foreach (var segment in buffers)
        {
            if (!segment.IsEmpty)
            {
                _gatherBuffers.Add(segment);
            }
        }

        try
        {
            await RandomAccess.WriteAsync(_handle, _gatherBuffers, offset, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gatherBuffers.Clear();
        }
    }

    private void ThrowIfNotPositionalWriter()
    {
        if (_appendOnly)
        {
            throw new InvalidOperationException("The file was opened in append mode: use AppendAsync, offsets are not accepted.");
        }

        if (!CanWrite)
        {
            throw new InvalidOperationException("The file was opened read-only.");
        }
    }

    private void ThrowIfNotAppender()
    {
        if (!_appendOnly)
        {
            throw new InvalidOperationException("AppendAsync needs a file opened with AsyncFile.OpenAppend.");
        }
    }
}
