using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using AspNetStreaming.Producers;

namespace AspNetStreaming.Storage.AzureBlob;

/// <summary>
/// A blob of Azure Blob Storage as a random-access source: its properties (length, ETag, Last-Modified, content type)
/// come once, when it is opened (from the first GET itself, or a HEAD), and reads continue one streaming download for
/// as long as they are sequential and within the range announced by <see cref="WillRead"/>,
/// starting a new one at the offset when they are not (a range, the next part of a multipart body). A 1 GiB body is
/// one GET, not one per chunk. Every later download is conditioned on the ETag read at open (<c>If-Match</c>), so a
/// blob replaced while it is being sent fails the read and the response aborts, instead of mixing two versions.
/// </summary>
internal sealed class BlobSource : RandomAccessSource
{
    private readonly BlobClient _blob;
    private readonly ETag _etag;
    private readonly long _length;
    private Stream? _download;
    private long _downloadPosition;
    private long _rangeEnd = long.MaxValue;

    private BlobSource(BlobClient blob, ETag etag, long length, DateTimeOffset lastModified, string? contentType)
    {
        _blob = blob;
        _etag = etag;
        _length = length;
        DefaultLastModified = lastModified;
        ContentType = contentType is { Length: > 0 } stored && stored != "application/octet-stream" ? stored : null;
        DefaultEntityTag = etag.ToString("H");
    }

    public override long? Length => _length;

    /// <summary>The blob's ETag as a quoted strong entity tag: it changes whenever the blob's content does.</summary>
    public override string? DefaultEntityTag { get; }

    public override DateTimeOffset? DefaultLastModified { get; }

    /// <summary>The content type stored with the blob, unless it is the service's default for "none given"
    /// (<c>application/octet-stream</c>), in which case the name's extension decides.</summary>
    public override string? ContentType { get; }

    /// <summary>Opens the blob; <see langword="null"/> when it (or its container) does not exist. With
    /// <paramref name="firstRead"/> (the range the response will most likely send first: the whole blob, or the one
    /// range a plain GET asks for) the open is that GET itself, and its answer carries the properties: one request
    /// to the service instead of a HEAD and a GET. Without it (HEAD, conditional or multi-range requests, where the
    /// body may never be read) the open reads the properties alone.</summary>
    public static async Task<BlobSource?> OpenAsync(BlobClient blob, CancellationToken cancellationToken, HttpRange? firstRead = null)
    {
        ArgumentNullException.ThrowIfNull(blob);
        try
        {
            if (firstRead is { } range)
            {
                try
                {
                    return await OpenReadingAsync(blob, range, cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException error) when (error.Status == 416)
                {
                    // The range lies past the end: the properties decide what to answer (416).
                }
            }

            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return new BlobSource(blob, properties.ETag, properties.ContentLength, properties.LastModified, properties.ContentType);
        }
        catch (RequestFailedException error) when (error.Status == 404)
        {
            return null;
        }
    }

    private static async Task<BlobSource> OpenReadingAsync(BlobClient blob, HttpRange range, CancellationToken cancellationToken)
    {
        var response = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = range }, cancellationToken).ConfigureAwait(false);
        var details = response.Value.Details;
        var source = new BlobSource(blob, details.ETag, TotalLength(details), details.LastModified, details.ContentType)
        {
            _download = response.Value.Content,
            _downloadPosition = range.Offset,
        };
        source._rangeEnd = range.Length is { } length ? range.Offset + length : long.MaxValue;
        return source;
    }

    // "bytes 1000-66535/4194304" for a range, else the body's own length.
    private static long TotalLength(BlobDownloadDetails details)
        => details.ContentRange is { } contentRange && contentRange.LastIndexOf('/') is var slash and > 0
           && long.TryParse(contentRange.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var total)
            ? total
            : details.ContentLength;

    public override async ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (offset >= _length || destination.IsEmpty)
        {
            return 0;
        }

        if (_download is null || offset != _downloadPosition)
        {
            await CloseDownloadAsync().ConfigureAwait(false);
            var end = _rangeEnd > offset ? Math.Min(_rangeEnd, _length) : _length;
            var options = new BlobDownloadOptions
            {
                // The whole blob is a plain GET; anything else asks for the range being read and no more (a 64 KiB
                // range of a large blob must not make the service send the rest).
                Range = offset == 0 && end == _length ? default : new HttpRange(offset, end - offset),
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

    public override void WillRead(long start, long length) => _rangeEnd = length >= long.MaxValue - start ? long.MaxValue : start + length;

    public override void Dispose() => _download?.Dispose();

    public override ValueTask CloseAsync() => CloseDownloadAsync();

    private ValueTask CloseDownloadAsync()
    {
        var download = _download;
        _download = null;
        return download?.DisposeAsync() ?? default;
    }
}
