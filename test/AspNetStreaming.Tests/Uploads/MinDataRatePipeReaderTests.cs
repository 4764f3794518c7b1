using System.IO.Pipelines;
using AspNetStreaming.Uploads;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>The library's minimum-rate rule for HTTP/2 request bodies, counted as Kestrel counts it on HTTP/1.1.</summary>
public sealed class MinDataRatePipeReaderTests
{
    [Fact]
    public async Task AReadWaitingPastTheGracePeriod_BelowTheRate_FailsWith408()
    {
        var pipe = new Pipe();
        using var reader = new MinDataRatePipeReader(pipe.Reader, bytesPerSecond: 1000, TimeSpan.FromMilliseconds(300));
        await pipe.Writer.WriteAsync(new byte[10]);
        var first = await reader.ReadAsync();
        reader.AdvanceTo(first.Buffer.End);

        var stalled = await Assert.ThrowsAsync<BadHttpRequestException>(() => reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(StatusCodes.Status408RequestTimeout, stalled.StatusCode);
        await Assert.ThrowsAsync<BadHttpRequestException>(() => reader.ReadAsync().AsTask()); // and it stays failed
    }

    [Fact]
    public async Task TimeTheApplicationSpendsBusy_IsNotChargedToTheClient()
    {
        var pipe = new Pipe();
        using var reader = new MinDataRatePipeReader(pipe.Reader, bytesPerSecond: 1_000_000, TimeSpan.FromMilliseconds(300));
        for (var i = 0; i < 4; i++)
        {
            // The client has sent its bytes before the application asks: no read waits, whatever the application does.
            await pipe.Writer.WriteAsync(new byte[10]);
            var result = await reader.ReadAsync();
            reader.AdvanceTo(result.Buffer.End);
            await Task.Delay(250); // the application is busy (a slow disk) for longer than the grace period in all
        }

        await pipe.Writer.WriteAsync(new byte[10]);
        var last = await reader.ReadAsync();
        Assert.Equal(10, last.Buffer.Length);
    }

    [Fact]
    public async Task AClientAboveTheRate_IsNeverCutOff()
    {
        var pipe = new Pipe();
        using var reader = new MinDataRatePipeReader(pipe.Reader, bytesPerSecond: 1000, TimeSpan.FromMilliseconds(300));
        var writing = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await pipe.Writer.WriteAsync(new byte[1000]); // 1000 bytes per 50 ms: 20 times the minimum
                await Task.Delay(50);
            }

            await pipe.Writer.CompleteAsync();
        });

        long total = 0;
        while (true)
        {
            var result = await reader.ReadAsync();
            total += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await writing;
        Assert.Equal(20_000, total);
    }
}
