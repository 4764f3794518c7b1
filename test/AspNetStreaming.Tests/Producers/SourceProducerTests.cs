using System.Buffers;
using System.Runtime.CompilerServices;
using AspNetStreaming.Producers;
using AspNetStreaming.Tests.Infrastructure;
using static AspNetStreaming.Tests.Producers.ProducerTestHelpers;

namespace AspNetStreaming.Tests.Producers;

/// <summary>The other sources: streams, memory, concatenation and generators.</summary>
public sealed class SourceProducerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task StreamProducer_SeekableStream_LengthIsFromTheCurrentPosition_AndThePositionIsUnchanged()
    {
        var path = _dir.CreateFile("a.bin", 1000);
        var stream = File.OpenRead(path);
        stream.Position = 300;

        var producer = new StreamBodyProducer(stream);

        Assert.Equal(700, producer.Length);
        Assert.Equal(300, stream.Position);
        var (bytes, _) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));
        Assert.Equal(File.ReadAllBytes(path).AsSpan(300).ToArray(), bytes);
        Assert.Throws<ObjectDisposedException>(() => stream.Position);
    }

    [Fact]
    public async Task StreamProducer_NonSeekableStream_HasUnknownLength_AndIsReadToItsEnd()
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("seq", ["1", "20000"]) { RedirectStandardOutput = true })!;
        var producer = new StreamBodyProducer(process.StandardOutput.BaseStream, readSize: 100);

        Assert.Null(producer.Length);
        var (bytes, production) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));

        Assert.True(production.IsCompletedSuccessfully);
        var expected = string.Concat(Enumerable.Range(1, 20000).Select(i => i + "\n"));
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public async Task StreamProducer_NonSeekableStream_SendsWhatItHas_WithoutWaitingToFillAChunk()
    {
        // A live stream (a pipe, a socket) gives bytes as they come: each short read goes out at once.
        var source = new System.IO.Pipelines.Pipe();
        var producer = new StreamBodyProducer(source.Reader.AsStream(), readSize: 64 * 1024);
        var response = new System.IO.Pipelines.Pipe();
        var production = producer.ProduceAsync(response.Writer);

        await source.Writer.WriteAsync("first line\n"u8.ToArray());
        var first = await response.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("first line\n", System.Text.Encoding.ASCII.GetString(first.Buffer.ToArray()));
        Assert.False(production.IsCompleted);
        response.Reader.AdvanceTo(first.Buffer.End);

        await source.Writer.WriteAsync("second\n"u8.ToArray());
        await source.Writer.CompleteAsync();
        await production.WaitAsync(TimeSpan.FromSeconds(10));
        var rest = await response.Reader.ReadAsync();
        Assert.Equal("second\n", System.Text.Encoding.ASCII.GetString(rest.Buffer.ToArray()));
    }

    [Fact]
    public async Task StreamProducer_LeaveOpen_DoesNotDisposeTheStream()
    {
        var stream = new MemoryStream(new byte[10]);
        var producer = new StreamBodyProducer(stream, leaveOpen: true);
        await ProduceToPipeAsync(w => producer.ProduceAsync(w));
        Assert.Equal(10, stream.Position);
    }

    [Fact]
    public async Task StreamProducer_ReadError_FaultsTheCompletion_AndDisposesTheStream()
    {
        var path = _dir.CreateFile("a.bin", 100_000);
        var stream = new FailingAfter(File.OpenRead(path), failAfterBytes: 5000);
        var producer = new StreamBodyProducer(stream, readSize: 1000);

        var (_, production) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));

        Assert.True(production.IsFaulted);
        Assert.IsType<IOException>(production.Exception!.InnerException);
        Assert.True(stream.Disposed);
        Assert.False(ProcessHoldsOpen(path));
    }

    [Fact]
    public async Task MemoryProducer_ProducesItsBytes()
    {
        var content = new byte[200_000];
        Random.Shared.NextBytes(content);
        var producer = BodyProducers.Memory(content);
        Assert.Equal(200_000, producer.Length);

        var (bytes, _) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));

        Assert.Equal(content, bytes);
    }

    [Fact]
    public async Task Compound_ConcatenatesItsParts_SumsTheLengths_AndClosesEveryFile()
    {
        var a = _dir.CreateFile("a.bin", 5000, seed: 1);
        var b = _dir.CreateFile("b.bin", 7000, seed: 2);
        var producer = BodyProducers.Concat(
            BodyProducers.Memory("--head--"u8.ToArray()),
            new FileBodyProducer(a, readSize: 999),
            BodyProducers.Memory(Array.Empty<byte>()),
            new FileBodyProducer(b, start: 100, count: 200));

        Assert.Equal(8 + 5000 + 0 + 200, producer.Length);
        var (bytes, _) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));

        var expected = "--head--"u8.ToArray().Concat(File.ReadAllBytes(a)).Concat(File.ReadAllBytes(b).AsSpan(100, 200).ToArray()).ToArray();
        Assert.Equal(expected, bytes);
        Assert.False(ProcessHoldsOpen(a));
        Assert.False(ProcessHoldsOpen(b));
    }

    [Fact]
    public async Task Compound_WithAnUnknownPart_HasUnknownLength_AndStopClosesEveryPart()
    {
        var a = _dir.CreateFile("a.bin", 10);
        var b = _dir.CreateFile("b.bin", 10);
        var producer = BodyProducers.Concat(new FileBodyProducer(a), BodyProducers.FromChunks(Forever()), new FileBodyProducer(b));
        Assert.Null(producer.Length);

        var production = producer.ProduceAsync(new System.IO.Pipelines.Pipe().Writer);
        producer.Stop();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => production);
        Assert.False(ProcessHoldsOpen(a));
        Assert.False(ProcessHoldsOpen(b));
    }

    [Fact]
    public async Task Generator_ProducesEveryChunk_EvenWhenItReusesOneBuffer()
    {
        var producer = new GeneratorBodyProducer(Counting(1000), readSize: 7);
        var (bytes, production) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));

        Assert.True(production.IsCompletedSuccessfully);
        Assert.Equal(string.Concat(Enumerable.Range(0, 1000).Select(i => $"{i};")), System.Text.Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public async Task Generator_ThatYieldsFewerBytesThanAnnounced_Faults()
    {
        var producer = new GeneratorBodyProducer(Counting(3), length: 1000);
        var (_, production) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));
        Assert.IsType<EndOfStreamException>(production.Exception!.InnerException);
    }

    [Fact]
    public async Task Generator_ThatYieldsMoreBytesThanAnnounced_Faults()
    {
        var producer = new GeneratorBodyProducer(Counting(100), length: 5);
        var (_, production) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));
        Assert.IsType<InvalidDataException>(production.Exception!.InnerException);
    }

    [Fact]
    public async Task Generator_IsDisposedWhenStopped()
    {
        var disposed = new TaskCompletionSource();
        var producer = BodyProducers.FromChunks(Forever(disposed));
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512));
        var production = producer.ProduceAsync(pipe.Writer);

        producer.Stop();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => production);
        await disposed.Task.WaitAsync(Eventually.DefaultTimeout);
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Counting(int count)
    {
        var buffer = new byte[16];
        for (var i = 0; i < count; i++)
        {
            System.Text.Unicode.Utf8.TryWrite(buffer, $"{i};", out var written);
            yield return buffer.AsMemory(0, written);
            await Task.Yield();
        }
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Forever(TaskCompletionSource? disposed = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            var chunk = new byte[100];
            while (true)
            {
                yield return chunk;
                await Task.Delay(1, cancellationToken);
            }
        }
        finally
        {
            disposed?.TrySetResult();
        }
    }

    private sealed class FailingAfter(Stream inner, long failAfterBytes) : Stream
    {
        private long _read;

        public bool Disposed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_read >= failAfterBytes)
            {
                throw new IOException("simulated disk read error");
            }

            var n = await inner.ReadAsync(buffer, cancellationToken);
            _read += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
