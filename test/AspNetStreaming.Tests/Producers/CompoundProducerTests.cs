using System.Text;
using AspNetStreaming.Producers;
using AspNetStreaming.Tests.Infrastructure;
using static AspNetStreaming.Tests.Producers.ProducerTestHelpers;

namespace AspNetStreaming.Tests.Producers;

/// <summary>A concatenation holds each part to its own length: the pump checks only the sum, which a part that ends
/// short followed by one that runs long meets exactly, with the wrong bytes in the right number.</summary>
public sealed class CompoundProducerTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task PartsOfTheirAnnouncedLengths_AreSentInOrder_EachClosed()
    {
        var file = _temp.CreateFile("a.bin", 3000);
        await using var compound = BodyProducers.Concat(BodyProducers.File(file), BodyProducers.Memory("tail"u8.ToArray()));

        var (bytes, production) = await ProduceToPipeAsync(writer => compound.ProduceAsync(writer));

        await production;
        Assert.Equal([.. await File.ReadAllBytesAsync(file), .. "tail"u8.ToArray()], bytes);
        Assert.False(ProcessHoldsOpen(file));
    }

    [Fact]
    public async Task AShortPartFollowedByALongOne_FaultsTheProduction_ThoughTheSumMatches()
    {
        await using var compound = BodyProducers.Concat(
            BodyProducers.FromChunks(Chunks("AAAAA"), length: 10),
            BodyProducers.FromChunks(Chunks("BBBBBBBBBB"), length: 5));

        var (bytes, production) = await ProduceToPipeAsync(writer => compound.ProduceAsync(writer));

        await Assert.ThrowsAsync<EndOfStreamException>(() => production);
        Assert.Equal("AAAAA", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public async Task APartThatRunsPastItsLength_FaultsTheProduction_BeforeTheNextPart()
    {
        await using var compound = BodyProducers.Concat(
            BodyProducers.FromChunks(Chunks("AAAAAAAAAA"), length: 5),
            BodyProducers.FromChunks(Chunks("BBBBB"), length: 10));

        var (bytes, production) = await ProduceToPipeAsync(writer => compound.ProduceAsync(writer));

        await Assert.ThrowsAsync<InvalidDataException>(() => production);
        Assert.Equal("AAAAA", Encoding.ASCII.GetString(bytes));
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(string text)
    {
        await Task.Yield();
        yield return Encoding.ASCII.GetBytes(text);
    }
}
