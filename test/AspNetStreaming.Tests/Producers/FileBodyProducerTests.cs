using System.IO.Pipelines;
using AspNetStreaming.Producers;
using AspNetStreaming.Tests.Infrastructure;
using static AspNetStreaming.Tests.Producers.ProducerTestHelpers;

namespace AspNetStreaming.Tests.Producers;

/// <summary>The behaviours Twisted's FileBodyProducer tests pin down, plus the pump's pause, stop and backpressure rules.</summary>
public sealed class FileBodyProducerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Produces_TheExactBytes_WithATinyReadSize()
    {
        var path = _dir.CreateFile("a.bin", 10_007);
        await using var producer = new FileBodyProducer(path, readSize: 3);

        var (bytes, production) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));

        Assert.True(production.IsCompletedSuccessfully);
        Assert.Equal(File.ReadAllBytes(path), bytes);
        Assert.Equal(10_007, producer.Length);
        Assert.Equal(10_007, producer.BytesProduced);
    }

    [Fact]
    public async Task Produces_AByteRange()
    {
        var path = _dir.CreateFile("a.bin", 100_000);
        await using var producer = new FileBodyProducer(path, start: 99, count: 50_001, readSize: 4096);

        var (bytes, _) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));

        Assert.Equal(50_001, producer.Length);
        Assert.Equal(File.ReadAllBytes(path).AsSpan(99, 50_001).ToArray(), bytes);
    }

    [Fact]
    public void RangeOutsideTheFile_IsRefused_AndTheFileIsClosed()
    {
        var path = _dir.CreateFile("a.bin", 100);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FileBodyProducer(path, start: 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FileBodyProducer(path, start: 50, count: 51));
        Assert.False(ProcessHoldsOpen(path));
    }

    [Fact]
    public async Task TheFile_IsClosedAtEndOfFile()
    {
        var path = _dir.CreateFile("a.bin", 1000);
        var producer = new FileBodyProducer(path);
        Assert.True(ProcessHoldsOpen(path));

        await ProduceToPipeAsync(w => producer.ProduceAsync(w));

        Assert.True(producer.IsClosed);
        Assert.True(producer.File.IsClosed);
        Assert.False(ProcessHoldsOpen(path));
    }

    [Fact]
    public async Task AFileTruncatedWhileBeingSent_FaultsTheCompletion_AndClosesTheFile()
    {
        var path = _dir.CreateFile("a.bin", 100_000);
        var producer = new FileBodyProducer(path, readSize: 1000);
        using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            truncate.SetLength(10_000);
        }

        var (bytes, production) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));

        Assert.True(production.IsFaulted);
        Assert.IsType<EndOfStreamException>(production.Exception!.InnerException);
        Assert.Equal(10_000, bytes.Length);
        Assert.True(producer.IsClosed);
        Assert.False(ProcessHoldsOpen(path));
    }

    [Fact]
    public async Task ProduceAsync_RunsOnce()
    {
        await using var producer = new FileBodyProducer(_dir.CreateFile("a.bin", 10));
        await ProduceToPipeAsync(w => producer.ProduceAsync(w));
        await Assert.ThrowsAsync<InvalidOperationException>(() => producer.ProduceAsync(new Pipe().Writer));
    }

    [Fact]
    public async Task Backpressure_AReaderThatDoesNotRead_CapsWhatIsBuffered_AtThePauseThresholdPlusOneChunk()
    {
        const int threshold = 64 * 1024, chunk = 16 * 1024;
        var path = _dir.CreateFile("big.bin", 8 << 20);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: threshold, resumeWriterThreshold: threshold / 2, useSynchronizationContext: false));
        await using var producer = new FileBodyProducer(path, readSize: chunk);

        var production = producer.ProduceAsync(pipe.Writer);
        // The producer fills the pipe up to the threshold (polled: how long that takes is the machine's business),
        // then its flush waits; a short look afterwards shows it stays there.
        Assert.True(await Eventually.TrueAsync(() => producer.BytesProduced >= threshold), $"only {producer.BytesProduced} bytes produced");
        await Task.Delay(100);

        Assert.False(production.IsCompleted);
        Assert.InRange(producer.BytesProduced, threshold, threshold + chunk);
        Assert.Equal(producer.BytesProduced, Unread(pipe.Reader));

        // Reading releases it: everything arrives, in order.
        var reading = ReadAllAsync(pipe.Reader);
        await production;
        await pipe.Writer.CompleteAsync();
        Assert.Equal(File.ReadAllBytes(path), await reading);
    }

    [Fact]
    public async Task Pause_StopsWrites_AndResumeContinuesWhereItLeftOff()
    {
        // The pipe's threshold holds the pump at a known point while the pauses are taken (without it the pump
        // can finish the whole file before the test gets to pause it, and the pause checks prove nothing); the
        // reader then drains the pipe, so only the pauses can keep the pump from going on.
        const int threshold = 64 * 1024;
        var path = _dir.CreateFile("a.bin", 1 << 20);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: threshold, resumeWriterThreshold: threshold / 2, useSynchronizationContext: false));
        await using var producer = new FileBodyProducer(path, readSize: 4096);

        var pause = producer.Pause();
        var production = producer.ProduceAsync(pipe.Writer); // runs up to the pause check before it returns
        await Task.Delay(200);
        Assert.Equal(0, producer.BytesProduced);

        pause.Dispose();
        Assert.True(await Eventually.TrueAsync(() => producer.BytesProduced >= threshold), "the pump did not resume");

        // Now waiting on its flush (nobody reads yet), so this count is final unless the pauses fail.
        var second = producer.Pause();
        var third = producer.Pause();
        var atPause = producer.BytesProduced;
        var output = new MemoryStream();
        long consumed = 0;
        var reading = Task.Run(async () =>
        {
            while (true)
            {
                var result = await pipe.Reader.ReadAsync();
                foreach (var segment in result.Buffer)
                {
                    output.Write(segment.Span);
                }

                Interlocked.Add(ref consumed, result.Buffer.Length);
                pipe.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return output.ToArray();
                }
            }
        });
        // Everything produced was read, so the flush returned and the pump is at its pause check.
        Assert.True(await Eventually.TrueAsync(() => Interlocked.Read(ref consumed) == atPause), "the reader did not drain the pipe");
        await Task.Delay(200);
        Assert.Equal(atPause, producer.BytesProduced);

        second.Dispose();
        second.Dispose(); // a second dispose of one token must not release the other pause
        await Task.Delay(200);
        Assert.Equal(atPause, producer.BytesProduced);
        Assert.False(production.IsCompleted);

        third.Dispose();
        await production;
        await pipe.Writer.CompleteAsync();
        Assert.Equal(File.ReadAllBytes(path), await reading);
    }

    [Fact]
    public async Task Stop_ClosesTheFile_CompletesAsCancelled_AndNothingMoreIsWritten_EvenWhenCalledTwice()
    {
        var path = _dir.CreateFile("a.bin", 4 << 20);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 256 * 1024, resumeWriterThreshold: 128 * 1024, useSynchronizationContext: false));
        var producer = new FileBodyProducer(path, readSize: 8192);
        var production = producer.ProduceAsync(pipe.Writer);
        Assert.True(await Eventually.TrueAsync(() => producer.BytesProduced > 0));

        producer.Stop();
        producer.Stop();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => production);
        Assert.True(production.IsCanceled);
        Assert.True(producer.IsClosed);
        Assert.False(ProcessHoldsOpen(path));

        var produced = producer.BytesProduced;
        var buffered = Unread(pipe.Reader);
        await Task.Delay(100);
        Assert.Equal(produced, producer.BytesProduced);
        Assert.Equal(buffered, Unread(pipe.Reader));
        Assert.True(produced < 4 << 20);
    }

    [Fact]
    public async Task Stop_WhilePaused_EndsProduction()
    {
        var path = _dir.CreateFile("a.bin", 100_000);
        var producer = new FileBodyProducer(path);
        using var pause = producer.Pause();
        var production = producer.ProduceAsync(new Pipe().Writer);

        producer.Stop();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => production);
        Assert.False(ProcessHoldsOpen(path));
    }

    [Fact]
    public async Task Stop_BeforeProduce_CompletesAsCancelledAndClosesTheFile()
    {
        var path = _dir.CreateFile("a.bin", 100);
        var producer = new FileBodyProducer(path);
        producer.Stop();

        var production = producer.ProduceAsync(new Pipe().Writer);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => production);
        Assert.True(producer.IsClosed);
    }

    [Fact]
    public async Task PauseAfterCompletion_StopAfterCompletion_AndDoubleDispose_AreNoOps()
    {
        var producer = new FileBodyProducer(_dir.CreateFile("a.bin", 10));
        await ProduceToPipeAsync(w => producer.ProduceAsync(w));

        var token = producer.Pause();
        token.Dispose();
        token.Dispose();
        producer.Stop();
        producer.Stop();
        await producer.DisposeAsync();
        await producer.DisposeAsync();
    }

    [Fact]
    public async Task ConsumerGone_StopsTheProducer_AndClosesTheFile()
    {
        var path = _dir.CreateFile("a.bin", 4 << 20);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
        var producer = new FileBodyProducer(path, readSize: 8192);
        var production = producer.ProduceAsync(pipe.Writer);
        Assert.True(await Eventually.TrueAsync(() => producer.BytesProduced >= 64 * 1024));

        await pipe.Reader.CompleteAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => production);
        Assert.True(producer.IsClosed);
        Assert.False(ProcessHoldsOpen(path));
    }

    [Fact]
    public async Task DisposeAsync_WithoutProducing_ClosesTheFile()
    {
        var path = _dir.CreateFile("a.bin", 10);
        var producer = new FileBodyProducer(path);
        await producer.DisposeAsync();
        Assert.False(ProcessHoldsOpen(path));
    }

    [Fact]
    public async Task FromAHandle_NotOwned_LeavesTheHandleOpen()
    {
        var path = _dir.CreateFile("a.bin", 1000);
        using var handle = File.OpenHandle(path, options: FileOptions.Asynchronous);
        var producer = new FileBodyProducer(handle, start: 10, ownsHandle: false);

        var (bytes, _) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));

        Assert.Equal(990, bytes.Length);
        Assert.False(handle.IsClosed);
    }
}
