using System.Buffers;
using System.IO.Pipelines;
using AspNetStreaming.IO;
using AspNetStreaming.Tests.Infrastructure;
using CsCheck;
using Xunit.Abstractions;

namespace AspNetStreaming.Tests.Properties;

/// <summary>Writes from random segment shapes at random offsets, and a PipeReader copied into a file as its writer
/// flushes random chunks, read back byte-exact from a real file.</summary>
public sealed class FileCopyPropertyTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    // A body as the segments a pipe hands out: 0 to 12 segments of 0 to 9,000 bytes.
    private static readonly Gen<byte[][]> Segments = Gen.Byte.Array[0, 9000].Array[0, 12];

    [Fact]
    public async Task AGatherWriteAtAnOffsetRoundTrips()
    {
        var round = 0;
        await PropertyRun.CheckAsync(output, "AsyncFile gather write at an offset", Gen.Select(Segments, Gen.Int[0, 70_000], Gen.Bool), async input =>
        {
            var (segments, offset, appendMode) = input;
            var path = _temp[$"w{round++}.bin"];
            var expected = segments.SelectMany(s => s).ToArray();
            using (var file = appendMode ? AsyncFile.OpenAppend(path) : AsyncFile.OpenWrite(path))
            {
                if (appendMode)
                {
                    await file.AppendAsync(new byte[offset]);
                    await file.AppendAsync(Sequence(segments));
                }
                else
                {
                    await file.WriteAsync(offset, Sequence(segments));
                }
            }

            var onDisk = await File.ReadAllBytesAsync(path);
            if (expected.Length > 0 || appendMode)
            {
                Assert.Equal(offset + expected.Length, onDisk.Length);
                Assert.True(onDisk.AsSpan(offset).SequenceEqual(expected), $"{segments.Length} segments at {offset}");
            }
            using (var reader = AsyncFile.OpenRead(path))
            {
                var back = new byte[expected.Length];
                Assert.Equal(expected.Length, await reader.ReadFullAsync(offset, back));
                Assert.Equal(expected, back);
            }

            File.Delete(path);
        }, cases: 400, stream: 8);
    }

    [Fact]
    public async Task APipeCopiedIntoAFileRoundTrips()
    {
        var round = 0;
        await PropertyRun.CheckAsync(output, "PipeReader → file copy", Gen.Select(Segments, Gen.Int[0, 5000], Gen.Int[0, 64 * 1024]), async input =>
        {
            var (chunks, offset, minWriteSize) = input;
            var path = _temp[$"p{round++}.bin"];
            var expected = chunks.SelectMany(c => c).ToArray();
            var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
            var write = Task.Run(async () =>
            {
                foreach (var chunk in chunks)
                {
                    await pipe.Writer.WriteAsync(chunk);
                }

                await pipe.Writer.CompleteAsync();
            });
            long observed = 0;
            using (var file = AsyncFile.OpenWrite(path))
            {
                var copied = await pipe.Reader.CopyToFileAsync(file, offset, observer: seen => observed += seen.Length, minWriteSize: minWriteSize);
                Assert.Equal(expected.Length, copied);
            }

            await write;
            Assert.Equal(expected.Length, observed);
            var onDisk = await File.ReadAllBytesAsync(path);
            Assert.True(onDisk.AsSpan(Math.Min(offset, onDisk.Length)).SequenceEqual(expected), $"{chunks.Length} chunks at {offset}, min write {minWriteSize}");
            File.Delete(path);
        }, cases: 400, stream: 9);
    }

    public void Dispose() => _temp.Dispose();

    private static ReadOnlySequence<byte> Sequence(byte[][] segments)
    {
        if (segments.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(segments[0], 0);
        var last = first;
        foreach (var segment in segments.Skip(1))
        {
            last = last.Append(segment);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
