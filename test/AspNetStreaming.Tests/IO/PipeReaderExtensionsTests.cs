using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using AspNetStreaming.IO;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.IO;

public sealed class PipeReaderExtensionsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ReadLineAsync_SplitsOnLf_TrimsCr_ReturnsTheUnterminatedTail_ThenNull()
    {
        var reader = PipeReader.Create(new MemoryStream("one\r\ntwo\n\nthree"u8.ToArray()), new StreamPipeReaderOptions(bufferSize: 2));

        Assert.Equal("one", await reader.ReadLineAsync(10));
        Assert.Equal("two", await reader.ReadLineAsync(10));
        Assert.Equal("", await reader.ReadLineAsync(10));
        Assert.Equal("three", await reader.ReadLineAsync(10));
        Assert.Null(await reader.ReadLineAsync(10));
    }

    [Fact]
    public async Task ReadLineAsync_ACancelledPendingReadIsNotTheEndOfTheLine()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync("half a li"u8.ToArray());
        pipe.Reader.CancelPendingRead();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipe.Reader.ReadLineAsync(100).AsTask());

        await pipe.Writer.WriteAsync("ne\nnext"u8.ToArray());
        await pipe.Writer.CompleteAsync();
        Assert.Equal("half a line", await pipe.Reader.ReadLineAsync(100));
        Assert.Equal("next", await pipe.Reader.ReadLineAsync(100));
    }

    [Fact]
    public async Task ReadLineAsync_LineOfExactlyTheMaximum_IsAccepted()
    {
        var reader = PipeReader.Create(new MemoryStream("12345\r\n"u8.ToArray()));
        Assert.Equal("12345", await reader.ReadLineAsync(5));
    }

    [Fact]
    public async Task ReadLineAsync_OverLongLine_ThrowsWithoutBufferingTheRest()
    {
        // A "line" that never ends (32 KiB so far, under the pipe's pause threshold): the reader must give up
        // after maxLineLength, not wait for an end of line that may never come.
        var pipe = new Pipe();
        var chunk = new byte[1024];
        Array.Fill(chunk, (byte)'x');
        for (var i = 0; i < 32; i++)
        {
            await pipe.Writer.WriteAsync(chunk);
        }

        var error = await Assert.ThrowsAsync<LineTooLongException>(async () => await pipe.Reader.ReadLineAsync(4096));
        Assert.Equal(4096, error.MaxLineLength);
    }

    [Fact]
    public async Task ReadLineAsync_OverLongLineAtEndOfData_Throws()
    {
        var reader = PipeReader.Create(new MemoryStream(Encoding.ASCII.GetBytes("abcdefgh")));
        await Assert.ThrowsAsync<LineTooLongException>(async () => await reader.ReadLineAsync(4));
    }

    [Fact]
    public async Task CopyToFileAsync_WritesAtTheOffset_AndFeedsTheObserver()
    {
        var source = RandomNumberGenerator.GetBytes(300_000);
        var path = _dir["out.bin"];
        await File.WriteAllBytesAsync(path, new byte[10]);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var reader = PipeReader.Create(new MemoryStream(source), new StreamPipeReaderOptions(bufferSize: 4096));

        long written;
        using (var file = AsyncFile.OpenWrite(path, FileWriteMode.OpenExisting))
        {
            written = await reader.CopyToFileAsync(file, offset: 10, observer: buffer =>
            {
                foreach (var segment in buffer)
                {
                    hash.AppendData(segment.Span);
                }
            });
        }

        Assert.Equal(source.Length, written);
        var content = await File.ReadAllBytesAsync(path);
        Assert.Equal(source, content.AsSpan(10).ToArray());
        Assert.Equal(SHA256.HashData(source), hash.GetHashAndReset());
    }

    [Fact]
    public async Task CopyToFileAsync_OverTheLimit_ThrowsAndWritesNothingPastIt()
    {
        var path = _dir["limited.bin"];
        var reader = PipeReader.Create(new MemoryStream(new byte[10_000]), new StreamPipeReaderOptions(bufferSize: 1000));
        using var file = AsyncFile.OpenWrite(path);

        var error = await Assert.ThrowsAsync<ContentTooLargeException>(async () => await reader.CopyToFileAsync(file, 0, maxBytes: 4500));

        Assert.Equal(4500, error.Limit);
        Assert.InRange(file.Length, 0, 4500);
    }

    [Fact]
    public async Task CopyToFileAsync_ASourceThatFailsWhileBytesWaitForMore_WritesThoseBytesFirst()
    {
        // Fewer bytes than minWriteSize wait in the pipe for more; then the source fails (a client reset, an early end).
        var path = _dir["broken.bin"];
        var pipe = new Pipe();
        var sent = RandomNumberGenerator.GetBytes(10_000);
        await pipe.Writer.WriteAsync(sent);
        using var file = AsyncFile.OpenWrite(path);
        var copy = pipe.Reader.CopyToFileAsync(file, 0, minWriteSize: 64 * 1024).AsTask(); // runs until it waits for more
        Assert.False(copy.IsCompleted);
        await pipe.Writer.CompleteAsync(new IOException("The client reset the connection."));

        await Assert.ThrowsAsync<IOException>(() => copy);

        Assert.Equal(sent, await File.ReadAllBytesAsync(path));
    }
}
