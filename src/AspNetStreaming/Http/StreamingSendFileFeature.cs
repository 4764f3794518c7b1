using System.IO.Pipelines;
using AspNetStreaming.Producers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AspNetStreaming.Http;

/// <summary>
/// The response body feature of a request under <c>UseStreamingSendFile</c>: everything passes through to the server's
/// own feature except <see cref="SendFileAsync"/>, which Kestrel answers with its <c>SendFileFallback</c> (a 64 KiB
/// stream copy into the response stream) and which this sends with the library's pump instead: reads straight into
/// the response's memory, chunks that start small and grow while the client keeps up, the file closed on every path.
/// The caller has set the status and headers already (StaticFiles, <c>Results.File</c>); they are left as they are.
/// </summary>
internal sealed class StreamingSendFileFeature(IHttpResponseBodyFeature inner, HttpContext context) : IHttpResponseBodyFeature
{
    public Stream Stream => inner.Stream;

    public PipeWriter Writer => inner.Writer;

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task CompleteAsync() => inner.CompleteAsync();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileServingLog.SendFileAccelerated(Responses.RequestLoggers.For(context, Responses.ProducerResponse.LoggerCategory), context.Request.Path, offset,
            count?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.RequestAborted);
        // Like the fallback: the file from offset, count bytes (a file shorter than that faults the response).
        var producer = new FileBodyProducer(path, offset, count, StreamingResults.DefaultFileReadSize)
        {
            Budget = context.RequestServices?.GetService<ChunkBudget>(),
        };
        await producer.ProduceAsync(inner.Writer, cancel.Token).ConfigureAwait(false);
    }
}
