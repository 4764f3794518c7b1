using AspNetStreaming.Uploads;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace BenchServer;

/// <summary>Upload peers: the hand-written <c>Request.Body.CopyToAsync(File.Create(...))</c>, a discard endpoint
/// (the ceiling: the network and Kestrel alone), and ours with the SHA-256 digest on and off.</summary>
internal static class UploadPeers
{
    public static void MapUploadPeers(this WebApplication app, string data)
    {
        var root = Directory.CreateDirectory(Path.Combine(data, "uploads")).FullName;

        app.MapPut("/peer/copyto/{name}", async (HttpContext context, string name) =>
        {
            context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
            await using (var file = File.Create(Path.Combine(root, Path.GetFileName(name))))
            {
                await context.Request.Body.CopyToAsync(file, context.RequestAborted);
            }

            return Results.Created();
        });

        app.MapPut("/peer/discard/{name}", async (HttpContext context) =>
        {
            context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
            await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            return Results.NoContent();
        });

        // The default digest policy (WhenRequested): the scenario's rows send nothing, a Repr-Digest to verify, or a
        // Want-Repr-Digest, so each pays for exactly the hashing it asks for.
        var ingestor = new UploadIngestor(Options.Create(new UploadOptions { Root = root }));
        var noPreallocation = new UploadIngestor(Options.Create(new UploadOptions { Root = root, Preallocate = false }));
        app.MapPut("/ours/upload/{name}", (HttpContext context, string name, bool? preallocate) =>
            StoreAsync(preallocate == false ? noPreallocation : ingestor, context, name));

        // The app's own upload endpoints on one configuration (AddStreamingUploads: the root above, SHA-256 on): a raw PUT
        // and tus 1.0, so the tus row compares the protocol's cost with the same ingestor under both.
        app.MapUpload("/app/put");
        app.MapTusUploads("/app/tus");
    }

    private static async Task<IResult> StoreAsync(UploadIngestor ingestor, HttpContext context, string name)
    {
        try
        {
            return UploadResults.Stored(await ingestor.IngestAsync(context, name), context.Request.Path);
        }
        catch (UploadException error)
        {
            return UploadResults.Problem(error);
        }
    }
}
