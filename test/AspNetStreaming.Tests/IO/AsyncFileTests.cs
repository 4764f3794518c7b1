using System.Buffers;
using AspNetStreaming.IO;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.IO;

public sealed class AsyncFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ReadAsync_AtOffset_ReturnsTheBytesThere()
    {
        var path = _dir.CreateFile("a.bin", 100_000);
        var expected = File.ReadAllBytes(path);
        using var file = AsyncFile.OpenRead(path);

        var buffer = new byte[1000];
        var read = await file.ReadAsync(5000, buffer);

        Assert.InRange(read, 1, 1000);
        Assert.Equal(expected.AsSpan(5000, read).ToArray(), buffer.AsSpan(0, read).ToArray());
        Assert.Equal(100_000, file.Length);
    }

    [Fact]
    public async Task ReadAsync_OffWindows_ReadsOnTheCallingThread_AndObservesCancellationFirst()
    {
        var path = _dir.CreateFile("a.bin", 10_000);
        using var file = AsyncFile.OpenRead(path);
        var buffer = new byte[4096];

        var read = file.ReadAsync(100, buffer);
        // Windows reads are overlapped I/O and may complete later; elsewhere pread runs on the caller's thread.
        Assert.True(OperatingSystem.IsWindows() || read.IsCompletedSuccessfully, "the read was handed to another thread");
        Assert.Equal(4096, await read);

        var cancelled = file.ReadAsync(0, buffer, new CancellationToken(canceled: true));
        Assert.True(cancelled.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
    }

    [Fact]
    public async Task ReadFullAsync_FillsTheBufferOrStopsAtEndOfFile()
    {
        var path = _dir.CreateFile("a.bin", 10_000);
        var expected = File.ReadAllBytes(path);
        using var file = AsyncFile.OpenRead(path);

        var whole = new byte[4096];
        Assert.Equal(4096, await file.ReadFullAsync(1, whole));
        Assert.Equal(expected.AsSpan(1, 4096).ToArray(), whole);

        var tail = new byte[4096];
        Assert.Equal(1000, await file.ReadFullAsync(9000, tail));
        Assert.Equal(expected.AsSpan(9000).ToArray(), tail.AsSpan(0, 1000).ToArray());

        Assert.Equal(0, await file.ReadFullAsync(10_000, tail));
    }

    [Fact]
    public async Task WriteAsync_Sequence_GathersEverySegmentAtTheOffset()
    {
        var path = _dir["w.bin"];
        using (var file = AsyncFile.OpenWrite(path))
        {
            await file.WriteAsync(0, "0123456789"u8.ToArray());
            var sequence = Segments("ab"u8.ToArray(), [], "cde"u8.ToArray(), "f"u8.ToArray());
            Assert.False(sequence.IsSingleSegment);
            await file.WriteAsync(3, sequence);
            Assert.Equal(10, file.Length);
        }

        Assert.Equal("012abcdef9", File.ReadAllText(path));
    }

    [Fact]
    public async Task OpenWrite_Modes_CreateNewRefusesExisting_OpenExistingKeepsContent_CreateTruncates()
    {
        var path = _dir["m.bin"];
        await File.WriteAllTextAsync(path, "existing");

        Assert.Throws<IOException>(() => AsyncFile.OpenWrite(path, FileWriteMode.CreateNew));
        Assert.Throws<FileNotFoundException>(() => AsyncFile.OpenWrite(_dir["missing.bin"], FileWriteMode.OpenExisting));

        using (var file = AsyncFile.OpenWrite(path, FileWriteMode.OpenExisting))
        {
            Assert.Equal(8, file.Length);
            await file.WriteAsync(0, "E"u8.ToArray());
        }

        Assert.Equal("Existing", File.ReadAllText(path));

        using (var file = AsyncFile.OpenWrite(path, FileWriteMode.CreateOrTruncate))
        {
            Assert.Equal(0, file.Length);
        }
    }

    [Fact]
    public async Task OpenAppend_AppendsAtTheEnd_AndRejectsExplicitOffsets()
    {
        var path = _dir["log.txt"];
        await File.WriteAllTextAsync(path, "one\n");
        using (var file = AsyncFile.OpenAppend(path))
        {
            Assert.True(file.IsAppendOnly);
            await file.AppendAsync("two\n"u8.ToArray());
            await file.AppendAsync(Segments("th"u8.ToArray(), "ree\n"u8.ToArray()));
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await file.WriteAsync(0, "x"u8.ToArray()));
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await file.WriteAsync(0, new ReadOnlySequence<byte>("x"u8.ToArray())));
            Assert.Equal(14, file.AppendPosition);
        }

        Assert.Equal("one\ntwo\nthree\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task ReadOnlyFile_RefusesWritesAndAppends()
    {
        using var file = AsyncFile.OpenRead(_dir.CreateFile("r.bin", 10));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await file.WriteAsync(0, new byte[1]));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await file.AppendAsync(new byte[1]));
        Assert.Throws<InvalidOperationException>(() => file.SetLength(0));
    }

    [Fact]
    public void SetLength_AndPreallocation_ChangeTheFile_FlushToDiskSucceeds()
    {
        var path = _dir["p.bin"];
        using var file = AsyncFile.OpenWrite(path, FileWriteMode.CreateNew, preallocationSize: 1 << 20);
        Assert.Equal(0, file.Length);
        file.SetLength(12345);
        Assert.Equal(12345, file.Length);
        file.SetLength(10);
        file.FlushToDisk();
        Assert.Equal(10, new FileInfo(path).Length);
    }

    [Fact]
    public async Task ThePreallocationBeyondWhatWasWritten_IsGivenBackOnDispose()
    {
        // A body shorter than the Content-Length reserved for it: the file must not keep 64 MiB of disk for 3,000 bytes.
        var path = _dir["short.bin"];
        using (var file = AsyncFile.OpenWrite(path, FileWriteMode.CreateNew, preallocationSize: 64 << 20))
        {
            await file.WriteAsync(0, new byte[3000]);
        }

        var (exit, blocks, _) = await CommandLine.RunAsync("stat", ["-c", "%b", path], TimeSpan.FromSeconds(10));
        Assert.Equal(0, exit);
        Assert.InRange(long.Parse(blocks, System.Globalization.CultureInfo.InvariantCulture) * 512, 3000, 1 << 20);
    }

    [Fact]
    public async Task ReadWithTimeout_NoDataInTime_ThrowsTimeoutException()
    {
        using var file = AsyncFile.OpenRead(_dir.CreateFile("t.bin", 1000));
        await Assert.ThrowsAsync<TimeoutException>(async () => await file.ReadAsync(0, new byte[100], full: true, TimeSpan.Zero));
    }

    [Fact]
    public async Task ReadWithTimeout_CallerCancellation_IsNotReportedAsTimeout()
    {
        using var file = AsyncFile.OpenRead(_dir.CreateFile("t.bin", 1000));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await file.ReadAsync(0, new byte[100], full: true, TimeSpan.FromMinutes(1), cancelled.Token));
    }

    [Fact]
    public async Task WriteWithTimeout_CompletesWithinTime()
    {
        var path = _dir["wt.bin"];
        using (var file = AsyncFile.OpenWrite(path))
        {
            await file.WriteAsync(0, "abc"u8.ToArray(), TimeSpan.FromSeconds(30));
        }

        Assert.Equal("abc", File.ReadAllText(path));
    }

    [Fact]
    public void Dispose_ClosesTheHandle_AndIsIdempotent()
    {
        var file = AsyncFile.OpenRead(_dir.CreateFile("d.bin", 1));
        file.Dispose();
        file.Dispose();
        Assert.True(file.IsClosed);
    }

    internal static ReadOnlySequence<byte> Segments(params byte[][] parts)
    {
        Segment? first = null, last = null;
        foreach (var part in parts)
        {
            var segment = new Segment(part, last?.RunningIndex + last?.Memory.Length ?? 0);
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.SetNext(segment);
            }

            last = segment;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
