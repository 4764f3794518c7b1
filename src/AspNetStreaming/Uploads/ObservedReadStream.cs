using System.Buffers;

namespace AspNetStreaming.Uploads;

/// <summary>A read-only stream that shows every byte it reads to an observer first: how a form's whole body is hashed
/// for its <c>Content-Digest</c> while <c>MultipartReader</c> takes it apart (no second pass, no copy).</summary>
internal sealed class ObservedReadStream(Stream inner, Action<ReadOnlySequence<byte>> observer) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            observer(new ReadOnlySequence<byte>(buffer[..read]));
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // MultipartReader reads asynchronously only; a synchronous read would block a thread on the request body.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
