using System.IO.Pipelines;
using AspNetStreaming.Storage;
using AspNetStreaming.Storage.AzureBlob;
using AspNetStreaming.Tests.Infrastructure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;

namespace AspNetStreaming.Tests.Storage;

/// <summary>A state kept in a side blob, when a request to the service was applied but its answer was lost: the SDK
/// retries, and the retry is refused by the request's own condition, so the caller sees a failure of a change that
/// took. The side blob the upload names must survive that (before, it was deleted, and the upload could never be
/// read again), and a retried write of the side blob itself must not fail as a conflict.</summary>
[Collection(AzuriteServers.Name)]
public sealed class BlobResumableStateFaultTests(AzuriteServer azurite)
{
    private static string BigState(char c) => "{\"x\":\"" + new string(c, 6000) + "\"}";

    [Fact]
    public async Task AStateChangeThatTookThoughItsAnswerWasLost_LeavesTheUploadReadable_WithTheNewState()
    {
        var (objects, faults, container) = await StoreAsync();
        var id = Guid.NewGuid().ToString("N");
        var created = await objects.CreateAsync(id, BigState('a'), CancellationToken.None);
        faults.LoseAnswerOnce(message => NamesStateBlob(message, "metadata"));

        var lost = await Assert.ThrowsAsync<StoreException>(() => objects.SetStateAsync(created, BigState('b'), CancellationToken.None));
        Assert.Equal(StoreErrorKind.PreconditionFailed, lost.Kind); // the retry's If-Match: the change took

        var found = await objects.FindAsync(id, CancellationToken.None);
        Assert.Equal(BigState('b'), found!.State);
        Assert.Single(await StateBlobsAsync(container, id)); // the state it replaced is gone
        await container.DeleteIfExistsAsync();
    }

    [Fact]
    public async Task APublishWhoseCompletingCommitTookThoughItsAnswerWasLost_LeavesTheCompletedState()
    {
        var (objects, faults, container) = await StoreAsync();
        var id = Guid.NewGuid().ToString("N");
        var created = await objects.CreateAsync(id, BigState('a'), CancellationToken.None);
        var appended = await objects.AppendAsync(created, PipeReader.Create(new MemoryStream([1, 2, 3])), new StoreWriteOptions(), CancellationToken.None);
        faults.LoseAnswerOnce(message => NamesStateBlob(message, "blocklist") && message.Request.Uri.Path.Contains("/.resumable/", StringComparison.Ordinal));

        var published = await objects.PublishAsync(appended.Upload, [appended.Upload], "out.bin", new StoreWriteOptions(), BigState('c'), CancellationToken.None);
        Assert.Equal(3, published.Length);
        Assert.Equal(BigState('c'), (await objects.FindAsync(id, CancellationToken.None))!.State);
        await container.DeleteIfExistsAsync();
    }

    [Fact]
    public async Task ACreationWhoseSideBlobWriteTookThoughItsAnswerWasLost_StillCreatesTheUpload()
    {
        var (objects, faults, container) = await StoreAsync();
        var id = Guid.NewGuid().ToString("N");
        faults.LoseAnswerOnce(message => message.Request.Uri.Path.Contains(".state-", StringComparison.Ordinal));

        await objects.CreateAsync(id, BigState('a'), CancellationToken.None);
        Assert.Equal(BigState('a'), (await objects.FindAsync(id, CancellationToken.None))!.State);
        Assert.Single(await StateBlobsAsync(container, id));
        await container.DeleteIfExistsAsync();
    }

    [Fact]
    public async Task AnUploadWhoseSideBlobIsGone_IsStillListed_SoItsExpiryCanRemoveIt()
    {
        var (objects, _, container) = await StoreAsync();
        var id = Guid.NewGuid().ToString("N");
        await objects.CreateAsync(id, BigState('a'), CancellationToken.None);
        foreach (var name in await StateBlobsAsync(container, id))
        {
            await container.DeleteBlobAsync(name);
        }

        var listed = new List<ResumableObject>();
        await foreach (var upload in objects.ListAsync(CancellationToken.None))
        {
            listed.Add(upload);
        }

        Assert.True(await objects.DeleteIfUnchangedAsync(Assert.Single(listed, upload => upload.Id == id), CancellationToken.None));
        Assert.Null(await objects.FindAsync(id, CancellationToken.None));
        await container.DeleteIfExistsAsync();
    }

    private static bool NamesStateBlob(HttpMessage message, string comp)
        => message.Request.Headers.TryGetValue("x-ms-meta-stateblob", out _) && message.Request.Uri.Query.Contains("comp=" + comp, StringComparison.Ordinal);

    private static async Task<List<string>> StateBlobsAsync(BlobContainerClient container, string id)
    {
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = $".resumable/{id}.state-" }))
        {
            names.Add(item.Name);
        }

        return names;
    }

    private async Task<(BlobResumableObjects Objects, LoseAnswer Faults, BlobContainerClient Container)> StoreAsync()
    {
        var plain = await azurite.CreateContainerAsync();
        var faults = new LoseAnswer();
        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.AddPolicy(faults, HttpPipelinePosition.PerRetry);
        var container = new BlobServiceClient(azurite.ConnectionString, options).GetBlobContainerClient(plain.Name);
        var files = new AzureBlobFileStore(container, "", createContainer: false, allowDotFiles: false, blockSize: 256 * 1024, maxConcurrency: 2);
        return (new BlobResumableObjects(files), faults, plain);
    }

    /// <summary>Lets a request reach the service, then, once and when it matches, throws as a connection that broke
    /// before the answer came back would: the SDK's retry policy sends it again.</summary>
    private sealed class LoseAnswer : HttpPipelinePolicy
    {
        private Func<HttpMessage, bool>? _armed;

        public void LoseAnswerOnce(Func<HttpMessage, bool> matches) => _armed = matches;

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            Check(message);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ProcessNext(message, pipeline);
            Check(message);
        }

        private void Check(HttpMessage message)
        {
            var armed = _armed;
            if (armed is not null && message.Response.Status is >= 200 and < 300 && armed(message)
                && Interlocked.CompareExchange(ref _armed, null, armed) == armed)
            {
                throw new IOException("The connection broke after the service answered (simulated).");
            }
        }
    }
}
