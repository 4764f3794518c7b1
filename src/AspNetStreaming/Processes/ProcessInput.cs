using System.IO.Pipelines;
using AspNetStreaming.IO;

namespace AspNetStreaming.Processes;

/// <summary>What <see cref="ProcessRunner.CommunicateAsync(IReadOnlyList{ProcessCommand}, ProcessInput, ProcessOptions?, Microsoft.Extensions.Logging.ILogger?, CancellationToken)"/>
/// writes into the first program's stdin. stdin is always closed after it, even when there is nothing to write.</summary>
public sealed class ProcessInput
{
    private ProcessInput(ReadOnlyMemory<byte> bytes, string? path, PipeReader? reader)
    {
        Bytes = bytes;
        FilePath = path;
        Reader = reader;
    }

    /// <summary>No input: stdin is closed at once.</summary>
    public static ProcessInput None { get; } = new(ReadOnlyMemory<byte>.Empty, null, null);

    internal ReadOnlyMemory<byte> Bytes { get; }

    internal string? FilePath { get; }

    internal PipeReader? Reader { get; }

    /// <summary>Input from memory.</summary>
    public static ProcessInput FromBytes(ReadOnlyMemory<byte> bytes) => new(bytes, null, null);

    /// <summary>Input from a file, streamed.</summary>
    public static ProcessInput FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new(ReadOnlyMemory<byte>.Empty, path, null);
    }

    /// <summary>Input from a <see cref="PipeReader"/>, streamed with backpressure; the reader is not completed.</summary>
    public static ProcessInput FromPipeReader(PipeReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new(ReadOnlyMemory<byte>.Empty, null, reader);
    }

    internal PipeReader? OpenReader()
    {
        if (Reader is not null)
        {
            return Reader;
        }

        if (FilePath is not null)
        {
            // Offset reads through the async file core; completing the reader closes the file.
            return PipeReader.Create(new AsyncFileReadStream(AsyncFile.OpenRead(FilePath)), new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        }

        return Bytes.IsEmpty ? null : PipeReader.Create(new System.Buffers.ReadOnlySequence<byte>(Bytes));
    }
}
