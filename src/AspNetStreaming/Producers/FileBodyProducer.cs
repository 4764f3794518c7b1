using AspNetStreaming.IO;
using Microsoft.Win32.SafeHandles;

namespace AspNetStreaming.Producers;

/// <summary>
/// Produces a byte range of a file, reading with <see cref="RandomAccess"/> at explicit offsets straight into
/// the writer's memory: the same file source and reader as every file response of this library, on the one pump. The range is fixed when the producer is created: if the file shrinks before the range
/// is sent, production faults with <see cref="EndOfStreamException"/> (a body must never disagree with the
/// length announced for it); if it grows, the extra bytes are not sent.
/// </summary>
public sealed class FileBodyProducer : BodyProducer
{
    private readonly FileSource _source;
    private readonly SourceReader _reader;

    /// <summary>Opens <paramref name="path"/> and produces <paramref name="count"/> bytes from
    /// <paramref name="start"/> (to the end of the file when <paramref name="count"/> is <see langword="null"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range lies outside the file.</exception>
    public FileBodyProducer(string path, long start = 0, long? count = null, int readSize = DefaultReadSize)
        : this(AsyncFile.OpenRead(path), start, count, readSize, ownsFile: true)
    {
    }

    /// <summary>Produces a range of a file opened with <see cref="FileOptions.Asynchronous"/>.</summary>
    /// <param name="handle">The file handle.</param>
    /// <param name="start">The first byte to send.</param>
    /// <param name="count">How many bytes to send; to the end of the file when <see langword="null"/>.</param>
    /// <param name="readSize">The chunk size.</param>
    /// <param name="ownsHandle">Whether the producer closes the handle when it is done.</param>
    public FileBodyProducer(SafeFileHandle handle, long start = 0, long? count = null, int readSize = DefaultReadSize, bool ownsHandle = true)
        : this(AsyncFile.FromHandle(handle, canWrite: false, ownsHandle), start, count, readSize, ownsFile: true)
    {
    }

    /// <summary>Produces a range of an open <see cref="AsyncFile"/>.</summary>
    /// <param name="file">The file.</param>
    /// <param name="start">The first byte to send.</param>
    /// <param name="count">How many bytes to send; to the end of the file when <see langword="null"/>.</param>
    /// <param name="readSize">The chunk size.</param>
    /// <param name="ownsFile">Whether the producer disposes the file when it is done.</param>
    public FileBodyProducer(AsyncFile file, long start, long? count, int readSize, bool ownsFile)
        : base(readSize)
    {
        ArgumentNullException.ThrowIfNull(file);
        _source = new FileSource(file, ownsFile);
        OwnsFile = ownsFile;
        try
        {
            var fileLength = _source.Length!.Value;
            ArgumentOutOfRangeException.ThrowIfNegative(start);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(start, fileLength);
            var available = fileLength - start;
            if (count is { } requested)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(requested, nameof(count));
                ArgumentOutOfRangeException.ThrowIfGreaterThan(requested, available, nameof(count));
            }

            Start = start;
            Length = count ?? available;
            _reader = SourceReader.ForRange(_source, start, Length.Value);
        }
        catch
        {
            _source.Dispose();
            throw;
        }
    }

    /// <summary>The first byte of the range.</summary>
    public long Start { get; }

    /// <inheritdoc />
    public override long? Length { get; }

    /// <summary>Whether the producer closes the file when done.</summary>
    public bool OwnsFile { get; }

    /// <summary>The file being read.</summary>
    public AsyncFile File => _source.File;

    /// <inheritdoc />
    protected internal override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        => _reader.ReadAsync(destination, cancellationToken);

    /// <inheritdoc />
    protected internal override ValueTask CloseAsync()
    {
        _source.Dispose();
        return default;
    }
}
