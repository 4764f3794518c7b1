namespace AspNetStreaming.Producers;

/// <summary>Factories for the producers in this library.</summary>
public static class BodyProducers
{
    /// <summary>A range of a file; see <see cref="FileBodyProducer"/>.</summary>
    public static FileBodyProducer File(string path, long start = 0, long? count = null, int readSize = BodyProducer.DefaultReadSize)
        => new(path, start, count, readSize);

    /// <summary>A stream from its current position; see <see cref="StreamBodyProducer"/>.</summary>
    public static StreamBodyProducer Stream(Stream stream, bool leaveOpen = false, int readSize = BodyProducer.DefaultReadSize)
        => new(stream, leaveOpen, readSize);

    /// <summary>Bytes in memory.</summary>
    public static MemoryBodyProducer Memory(ReadOnlyMemory<byte> content) => new(content);

    /// <summary>Several producers one after another.</summary>
    public static CompoundBodyProducer Concat(params IEnumerable<BodyProducer> parts) => new(parts);

    /// <summary>The chunks of an asynchronous sequence; see <see cref="GeneratorBodyProducer"/>.</summary>
    public static GeneratorBodyProducer FromChunks(IAsyncEnumerable<ReadOnlyMemory<byte>> chunks, long? length = null)
        => new(chunks, length);
}
