using System.Net;
using System.Net.Http.Headers;
using AspNetStreaming.Http;
using AspNetStreaming.Http.Ranges;
using AspNetStreaming.Producers;
using AspNetStreaming.Storage.AzureBlob;
using AspNetStreaming.Tests.Infrastructure;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static AspNetStreaming.Tests.Producers.ProducerTestHelpers;

namespace AspNetStreaming.Tests.Storage;

/// <summary>A blob of a real blob server (Azurite) as the random-access source of a body: its validators, one
/// download per sequential run of reads, ranges and multipart bodies over HTTP, and a blob replaced mid-body.</summary>
[Collection(AzuriteServers.Name)]
public sealed class BlobSourceTests(AzuriteServer azurite)
{
    [Fact]
    public async Task OpeningReadsTheBlobsValidators_AndAMissingBlobIsNull()
    {
        var container = await azurite.CreateContainerAsync();
        var blob = container.GetBlobClient("docs/a.txt");
        var uploaded = await blob.UploadAsync(BinaryData.FromString("hello, blob"), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "text/plain" } });

        using var source = await BlobSource.OpenAsync(blob, CancellationToken.None);

        Assert.NotNull(source);
        Assert.Equal(11, source.Length);
        Assert.Equal(uploaded.Value.ETag.ToString("H"), source.DefaultEntityTag);
        Assert.StartsWith("\"", source.DefaultEntityTag, StringComparison.Ordinal);
        Assert.Equal(uploaded.Value.LastModified, source.DefaultLastModified);
        Assert.Equal("text/plain", source.ContentType);
        Assert.Null(await BlobSource.OpenAsync(container.GetBlobClient("docs/missing.txt"), CancellationToken.None));
        Assert.Null(await BlobSource.OpenAsync(new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient("no-such-container").GetBlobClient("a"), CancellationToken.None));
    }

    [Fact]
    public async Task AWholeBodyIsOneDownload_NotOnePerChunk()
    {
        var requests = new RequestCounter();
        var content = RandomBytes(8 * 1024 * 1024 + 123);
        var blob = await UploadAsync(content, requests);

        using var source = await BlobSource.OpenAsync(blob, CancellationToken.None);
        requests.Reset();
        var producer = SourceBodyProducer.ForRange(source!, 0, source!.Length, readSize: 64 * 1024);
        var (bytes, production) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));

        await production;
        Assert.Equal(content, bytes);
        Assert.Equal(1, requests.Gets); // ~130 chunks, one streaming GET
    }

    [Fact]
    public async Task OpeningWithTheFirstReadIsThatOneGet_WithNoSeparateHead()
    {
        var requests = new RequestCounter();
        var content = RandomBytes(300_000);
        var blob = await UploadAsync(content, requests);
        requests.Reset();

        using var source = await BlobSource.OpenAsync(blob, CancellationToken.None, new HttpRange(1000, 64 * 1024));
        var producer = SourceBodyProducer.ForRange(source!, 1000, 64 * 1024, readSize: 64 * 1024);
        var (bytes, production) = await ProduceToPipeAsync(w => producer.ProduceAsync(w));

        await production;
        Assert.Equal(content.AsSpan(1000, 64 * 1024).ToArray(), bytes);
        Assert.Equal(300_000, source!.Length);
        Assert.Equal((await blob.GetPropertiesAsync()).Value.ETag.ToString("H"), source.DefaultEntityTag);
        Assert.Equal((1, 0), (requests.Gets, requests.Heads - 1)); // the one GET; the HEAD just above is the test's
    }

    [Fact]
    public async Task RangesAndMultipartBodiesOverHttpComeFromTheBlob()
    {
        var content = RandomBytes(1024 * 1024);
        var blob = await UploadAsync(content);
        await using var host = await KestrelHost.StartAsync(app => app.MapGet("/blob", async (HttpContext context) =>
        {
            var source = await BlobSource.OpenAsync(blob, context.RequestAborted);
            await RepresentationResponse.SendAsync(context, source!, new FileResultOptions(), "application/octet-stream");
        }));
        using var client = host.CreateClient();

        using var single = new HttpRequestMessage(HttpMethod.Get, "/blob") { Headers = { Range = new RangeHeaderValue(1000, 1999) } };
        using var singleResponse = await client.SendAsync(single);
        Assert.Equal(HttpStatusCode.PartialContent, singleResponse.StatusCode);
        Assert.Equal(content.AsSpan(1000, 1000).ToArray(), await singleResponse.Content.ReadAsByteArrayAsync());
        Assert.Equal((await blob.GetPropertiesAsync()).Value.ETag.ToString("H"), singleResponse.Headers.ETag!.ToString());

        using var multi = new HttpRequestMessage(HttpMethod.Get, "/blob") { Headers = { Range = new RangeHeaderValue() } };
        multi.Headers.Range.Ranges.Add(new RangeItemHeaderValue(0, 9));
        multi.Headers.Range.Ranges.Add(new RangeItemHeaderValue(500_000, 500_099));
        multi.Headers.Range.Ranges.Add(new RangeItemHeaderValue(null, 10));
        using var multiResponse = await client.SendAsync(multi);
        Assert.Equal(HttpStatusCode.PartialContent, multiResponse.StatusCode);
        Assert.Equal("multipart/byteranges", multiResponse.Content.Headers.ContentType!.MediaType);
        var body = await multiResponse.Content.ReadAsByteArrayAsync();
        Assert.Equal(multiResponse.Content.Headers.ContentLength, body.LongLength);
        Assert.True(Contains(body, content.AsSpan(500_000, 100)));
        Assert.True(Contains(body, content.AsSpan(content.Length - 10, 10)));

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/blob") { Headers = { IfNoneMatch = { singleResponse.Headers.ETag } } };
        using var notModified = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task ABlobReplacedWhileItIsReadFailsTheNextDownload_NeverMixingVersions()
    {
        var blob = await UploadAsync(RandomBytes(64 * 1024));
        using var source = await BlobSource.OpenAsync(blob, CancellationToken.None);
        var buffer = new byte[1024];
        Assert.Equal(1024, await source!.ReadAtAsync(0, buffer, CancellationToken.None));

        await blob.UploadAsync(BinaryData.FromBytes(RandomBytes(64 * 1024)), overwrite: true);

        var error = await Assert.ThrowsAsync<RequestFailedException>(async () => await source.ReadAtAsync(32 * 1024, buffer, CancellationToken.None));
        Assert.Equal(412, error.Status);
    }

    [Fact]
    public async Task AStalledClientStopsTheBlobDownload_WithinTheSocketBuffersOfItsConnection()
    {
        const int size = 64 * 1024 * 1024;
        var blob = await UploadAsync(RandomBytes(size));
        CountingSource? counting = null;
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await KestrelHost.StartAsync(app => app.MapGet("/blob", async (HttpContext context) =>
        {
            counting = new CountingSource((await BlobSource.OpenAsync(blob, context.RequestAborted))!, closed);
            await RepresentationResponse.SendAsync(context, counting, new FileResultOptions(), "application/octet-stream");
        }));

        using (var client = new System.Net.Sockets.TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
            var stream = client.GetStream();
            await stream.WriteAsync("GET /blob HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray());
            Assert.True(await stream.ReadAsync(new byte[1024]) > 0);

            // The pump waits on the client's flush, so the source is read no further than the kernel's socket
            // buffers of the client connection (a few MiB on loopback) and one chunk: never the 64 MiB blob.
            var stalledAt = await WaitUntilUnchangedAsync(() => counting?.BytesRead ?? 0);
            Assert.InRange(stalledAt, 1, 16 * 1024 * 1024);
        }

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the client left: the download is closed
    }

    private async Task<BlobClient> UploadAsync(byte[] content, RequestCounter? requests = null)
    {
        var container = await azurite.CreateContainerAsync();
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 0;
        if (requests is not null)
        {
            options.AddPolicy(requests, HttpPipelinePosition.PerCall);
        }

        var blob = new BlobContainerClient(azurite.ConnectionString, container.Name, options).GetBlobClient("data.bin");
        await blob.UploadAsync(BinaryData.FromBytes(content));
        return blob;
    }

    /// <summary>Polls <paramref name="read"/> until it is above 0 and unchanged over 5 polls 100 ms apart (30 s at
    /// most); returns that value.</summary>
    private static async Task<long> WaitUntilUnchangedAsync(Func<long> read)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        long last = -1;
        for (var unchanged = 0; unchanged < 5; await Task.Delay(100))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the source was still being read at {last} bytes");
            var now = read();
            unchanged = now > 0 && now == last ? unchanged + 1 : 0;
            last = now;
        }

        return last;
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    /// <summary>A source that counts what is read from the one it wraps and says when it is closed.</summary>
    private sealed class CountingSource(RandomAccessSource inner, TaskCompletionSource closed) : RandomAccessSource
    {
        private long _read;

        public long BytesRead => Interlocked.Read(ref _read);

        public override long? Length => inner.Length;

        public override string? DefaultEntityTag => inner.DefaultEntityTag;

        public override async ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
        {
            var read = await inner.ReadAtAsync(offset, destination, cancellationToken);
            Interlocked.Add(ref _read, read);
            return read;
        }

        public override void Dispose()
        {
            inner.Dispose();
            closed.TrySetResult();
        }

        public override async ValueTask CloseAsync()
        {
            await inner.CloseAsync();
            closed.TrySetResult();
        }
    }

    /// <summary>Counts the GET requests the client sends.</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _gets;
        private int _heads;

        public int Gets => Volatile.Read(ref _gets);

        public int Heads => Volatile.Read(ref _heads);

        public void Reset()
        {
            Volatile.Write(ref _gets, 0);
            Volatile.Write(ref _heads, 0);
        }

        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.Request.Method == RequestMethod.Get)
            {
                Interlocked.Increment(ref _gets);
            }
            else if (message.Request.Method == RequestMethod.Head)
            {
                Interlocked.Increment(ref _heads);
            }
        }
    }
}
