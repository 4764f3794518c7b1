using AspNetStreaming.Http;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace BenchServer;

/// <summary>Blob peers, on a container of the bench's Azurite (BENCH_BLOB_CONNECTION, BENCH_BLOB_CONTAINER): the plain
/// SDK (<c>DownloadStreamingAsync</c> into the response, whole as <c>Results.Stream</c> or one <c>HttpRange</c> as a
/// 206) against our <c>MapFiles</c> on the same container, in one host.</summary>
internal static class BlobPeers
{
    private static string? Connection => Environment.GetEnvironmentVariable("BENCH_BLOB_CONNECTION");

    private static string Container => Environment.GetEnvironmentVariable("BENCH_BLOB_CONTAINER") ?? "bench";

    /// <summary>Points AspNetStreaming's store at the container (only in the blob bench's own instance).</summary>
    public static void AddBlobStore(this WebApplicationBuilder builder)
    {
        if (Connection is not { } connection)
        {
            return;
        }

        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Streaming:Storage:Provider"] = "AzureBlob",
            ["Streaming:Storage:AzureBlob:ConnectionString"] = connection,
            ["Streaming:Storage:AzureBlob:Container"] = Container,
            ["Streaming:Storage:AzureBlob:CreateContainer"] = "true",
        });
        builder.Services.AddStreamingStorage(builder.Configuration.GetSection("Streaming:Storage"));
    }

    public static void MapBlobPeers(this WebApplication app, string data)
    {
        if (Connection is not { } connection)
        {
            return;
        }

        var container = new BlobContainerClient(connection, Container);
        // POST /bench/blob/seed/{name}: uploads bench/out/data/{name} once (kept across runs in Azurite's folder).
        app.MapPost("/bench/blob/seed/{name}", async (string name) =>
        {
            await container.CreateIfNotExistsAsync();
            var blob = container.GetBlobClient(name);
            var local = new FileInfo(Path.Combine(data, Path.GetFileName(name)));
            if (!await blob.ExistsAsync() || (await blob.GetPropertiesAsync()).Value.ContentLength != local.Length)
            {
                await blob.UploadAsync(local.FullName, overwrite: true);
            }

            return Results.NoContent();
        });
        app.MapGet("/peer/blob/{name}", async (string name, HttpContext context) =>
        {
            var blob = container.GetBlobClient(name);
            var range = context.Request.GetTypedHeaders().Range is { Ranges.Count: 1 } header && header.Ranges.First() is { From: { } from, To: { } to }
                ? new HttpRange(from, to - from + 1)
                : (HttpRange?)null;
            var download = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = range ?? default }, context.RequestAborted);
            if (range is null)
            {
                return Results.Stream(download.Value.Content, "application/octet-stream");
            }

            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = download.Value.Details.ContentRange;
            context.Response.ContentLength = download.Value.Details.ContentLength;
            context.Response.ContentType = "application/octet-stream";
            await using (download.Value.Content)
            {
                await download.Value.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
            }

            return Results.Empty;
        });
        // PUT /peer/blob-upload/{name}: the SDK's own upload of the request body, with the block size and concurrency
        // our store uses (4 MiB, 4), replacing.
        app.MapPut("/peer/blob-upload/{name}", async (string name, HttpContext context) =>
        {
            context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
            var transfer = new Azure.Storage.StorageTransferOptions { InitialTransferSize = 4 << 20, MaximumTransferSize = 4 << 20, MaximumConcurrency = 4 };
            var uploaded = await container.GetBlobClient(name).UploadAsync(context.Request.Body, new BlobUploadOptions { TransferOptions = transfer }, context.RequestAborted);
            return Results.Created($"/peer/blob/{name}", new { etag = uploaded.Value.ETag.ToString("H") });
        });
        app.MapFiles("/ours/blob", new FileServingOptions { Root = data }); // the container's blobs: AddBlobStore
        // Ours is /ours/upload/{name} (UploadPeers, SHA-256 on), which in this instance writes into the container.
    }
}
