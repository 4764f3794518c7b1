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
        if (context.Features.Get<IHttpsCompressionFeature>() is not null)
        {
            // Behind UseResponseCompression, which decides at the start whether to encode: an encoded body is the
            // compressor's to copy in its large writes (the pump's flush per chunk would be a gzip sync flush each, the
            // same text in 5% more bytes); one it leaves alone is ours as any other.
            await inner.StartAsync(cancellationToken).ConfigureAwait(false);
            if (context.Response.Headers.ContentEncoding.Count > 0)
            {
                await inner.SendFileAsync(path, offset, count, cancellationToken).ConfigureAwait(false);
                return;
            }
        }

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
