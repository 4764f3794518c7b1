using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using AspNetStreaming.Producers;

namespace AspNetStreaming.Storage.AzureBlob;

/// <summary>
/// A blob of Azure Blob Storage as a random-access source: its properties are read once, when it is opened (length,
/// ETag, Last-Modified, content type), and reads continue one streaming download for as long as they are sequential,
/// starting a new one at the offset when they are not (a range, the next part of a multipart body). A 1 GiB body is
/// one GET, not one per chunk. Every download is conditioned on the ETag read at open (<c>If-Match</c>), so a blob
/// replaced while it is being sent fails the read and the response aborts, instead of mixing two versions.
/// </summary>
internal sealed class BlobSource : RandomAccessSource
{
    private readonly BlobClient _blob;
    private readonly ETag _etag;
    private Stream? _download;
    private long _downloadPosition;

    private BlobSource(BlobClient blob, BlobProperties properties)
    {
        _blob = blob;
        _etag = properties.ETag;
        Length = properties.ContentLength;
        DefaultLastModified = properties.LastModified;
        ContentType = properties.ContentType is { Length: > 0 } stored && stored != "application/octet-stream" ? stored : null;
        DefaultEntityTag = properties.ETag.ToString("H");
    }

    public override long? Length { get; }

    /// <summary>The blob's ETag as a quoted strong entity tag: it changes whenever the blob's content does.</summary>
    public override string? DefaultEntityTag { get; }

    public override DateTimeOffset? DefaultLastModified { get; }

    /// <summary>The content type stored with the blob, unless it is the service's default for "none given"
    /// (<c>application/octet-stream</c>), in which case the name's extension decides.</summary>
    public override string? ContentType { get; }

    /// <summary>Reads the blob's properties; <see langword="null"/> when the blob (or its container) does not exist.</summary>
    public static async Task<BlobSource?> OpenAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return new BlobSource(blob, properties.Value);
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return null;
        }
    }

    public override async ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (offset >= Length || destination.IsEmpty)
        {
            return 0;
        }

        if (_download is null || offset != _downloadPosition)
        {
            await CloseDownloadAsync().ConfigureAwait(false);
            var options = new BlobDownloadOptions
            {
                Range = new HttpRange(offset),
                Conditions = new BlobRequestConditions { IfMatch = _etag },
            };
            var response = await _blob.DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false);
            _download = response.Value.Content;
            _downloadPosition = offset;
        }

        var read = await _download.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        _downloadPosition += read;
        return read;
    }

    public override void Dispose() => _download?.Dispose();

    public override ValueTask CloseAsync() => CloseDownloadAsync();

    private ValueTask CloseDownloadAsync()
    {
        var download = _download;
        _download = null;
        return download?.DisposeAsync() ?? default;
    }
}
