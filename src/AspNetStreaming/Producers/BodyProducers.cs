namespace AspNetStreaming.Producers;

/// <summary>Factories for the producers in this library.</summary>
public static class BodyProducers
{
    /// <summary>A range of a file; see <see cref="FileBodyProducer"/>.</summary>
    /// <param name="path">The file; opened when production starts, closed when it ends.</param>
    /// <param name="start">The first byte.</param>
    /// <param name="count">How many bytes; to the end of the file when <see langword="null"/>.</param>
    /// <param name="readSize">The most bytes read into the pipe at a time.</param>
    public static FileBodyProducer File(string path, long start = 0, long? count = null, int readSize = BodyProducer.DefaultReadSize)
        => new(path, start, count, readSize);

    /// <summary>A stream from its current position; see <see cref="StreamBodyProducer"/>.</summary>
    /// <param name="stream">The stream; its length is the body's when it can seek.</param>
    /// <param name="leaveOpen">Whether the stream stays open when production ends.</param>
    /// <param name="readSize">The most bytes read into the pipe at a time.</param>
    public static StreamBodyProducer Stream(Stream stream, bool leaveOpen = false, int readSize = BodyProducer.DefaultReadSize)
        => new(stream, leaveOpen, readSize);

    /// <summary>Bytes in memory.</summary>
    /// <param name="content">The bytes; not copied, so they must not change while they are produced.</param>
    public static MemoryBodyProducer Memory(ReadOnlyMemory<byte> content) => new(content);

    /// <summary>Several producers one after another.</summary>
    /// <param name="parts">The producers, in order; the length is their sum, or unknown if any part's is.</param>
    public static CompoundBodyProducer Concat(params IEnumerable<BodyProducer> parts) => new(parts);

    /// <summary>The chunks of an asynchronous sequence; see <see cref="GeneratorBodyProducer"/>.</summary>
    /// <param name="chunks">The chunks; the next is asked for only once the previous one's flush completed.</param>
    /// <param name="length">The total length, when known (the pump then holds the chunks to it).</param>
    public static GeneratorBodyProducer FromChunks(IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, long? length = null)
        => new(chunks, length);
}
