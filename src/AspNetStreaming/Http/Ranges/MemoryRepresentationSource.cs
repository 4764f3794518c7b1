using AspNetStreaming.Producers;

namespace AspNetStreaming.Http.Ranges;

/// <summary>Bytes in memory.</summary>
internal sealed class MemoryRepresentationSource(ReadOnlyMemory<byte> content, int readSize) : RepresentationSource
{
    public override long? Length => content.Length;

    public override BodyProducer CreateProducer(long start, long length) => new MemoryBodyProducer(content.Slice((int)start, (int)length), readSize);

    public override void Dispose()
    {
        // Nothing owned: the memory belongs to the caller.
    }
}
