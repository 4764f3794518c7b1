using System.Net;
using AspNetStreaming.Diagnostics;
using AspNetStreaming.Http;
using AspNetStreaming.Producers;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;

namespace AspNetStreaming.Tests.Http;

/// <summary>A source that throws <see cref="OperationCanceledException"/> of its own (an <c>HttpClient</c> timing out on
/// the backend it proxies throws <see cref="TaskCanceledException"/>) has failed: that is neither the client leaving nor
/// the application stopping the body, so it is a 500 before the first byte and a failure logged as one after it.</summary>
public sealed class SourceCancellationTests
{
    [Fact]
    public async Task BeforeTheFirstByte_ItIsA500ProblemDetails_LoggedAsAFailure()
    {
        await using var host = await KestrelHost.StartAsync(app => app.MapGet("/g", () =>
            StreamingResults.Body(BodyProducers.FromChunks(TimingOutAfter(0)), "text/plain")));
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/g");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(host.Logs.Contains(StreamingEventIds.ProducerFailedBeforeBody.Id));
        Assert.False(host.Logs.Contains(StreamingEventIds.ProducerStopped.Id));
    }

    [Fact]
    public async Task MidBody_TheResponseIsCut_AndLoggedAsAFailureNotAStop()
    {
        await using var host = await KestrelHost.StartAsync(app => app.MapGet("/g", () =>
            StreamingResults.Body(BodyProducers.FromChunks(TimingOutAfter(3)), "text/plain")));
        using var client = host.CreateClient();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetByteArrayAsync("/g"));

        await Eventually.AssertAsync(() => host.Logs.Contains(StreamingEventIds.ProducerFailedMidBody.Id), "the failure was logged");
        Assert.False(host.Logs.Contains(StreamingEventIds.ProducerStopped.Id));
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> TimingOutAfter(int chunks)
    {
        var bytes = new byte[4096];
        for (var i = 0; i < chunks; i++)
        {
            yield return bytes;
            await Task.Yield();
        }

        throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.");
    }
}
