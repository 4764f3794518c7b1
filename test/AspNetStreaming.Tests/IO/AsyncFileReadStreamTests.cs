using System.IO.Pipelines;
using AspNetStreaming.IO;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.IO;

public sealed class AsyncFileReadStreamTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task APipeReaderOverItReadsTheFileFromTheOffsetToItsEnd()
    {
        var path = _dir.CreateFile("a.bin", 300_000);
        var expected = File.ReadAllBytes(path);
        var reader = PipeReader.Create(new AsyncFileReadStream(AsyncFile.OpenRead(path), offset: 1000), new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        using var copy = new MemoryStream();
        await reader.CopyToAsync(copy);
        await reader.CompleteAsync();
        Assert.Equal(expected[1000..], copy.ToArray());
    }

    [Fact]
    public async Task BytesAppendedBeforeTheEndIsReachedAreRead()
    {
        var path = _dir["grows.txt"];
        await File.WriteAllTextAsync(path, "one\n");
        using var file = AsyncFile.OpenRead(path);
        using var stream = new AsyncFileReadStream(file, ownsFile: false);
        var buffer = new byte[16];
        Assert.Equal(4, await stream.ReadAsync(buffer));
        await File.AppendAllTextAsync(path, "two\n");
        Assert.Equal(4, stream.Read(buffer));
        Assert.Equal("two\n", System.Text.Encoding.ASCII.GetString(buffer, 0, 4));
        Assert.Equal(0, await stream.ReadAsync(buffer));
    }

    [Fact]
    public void DisposingClosesTheFileOnlyWhenItOwnsIt()
    {
        var path = _dir.CreateFile("b.bin", 10);
        using var kept = AsyncFile.OpenRead(path);
        new AsyncFileReadStream(kept, ownsFile: false).Dispose();
        Assert.False(kept.IsClosed);

        var owned = AsyncFile.OpenRead(path);
        new AsyncFileReadStream(owned).Dispose();
        Assert.True(owned.IsClosed);
    }
}
