using Microsoft.Net.Http.Headers;

namespace AspNetStreaming.Http;

/// <summary>
/// How a file-like result (a physical file, a seekable stream, bytes in memory) is sent. Every option has a
/// default that suits serving static content; range processing is on.
/// </summary>
public sealed class FileResultOptions
{
    /// <summary>The <c>Content-Type</c>. For a physical file, <see langword="null"/> means "from the file name's
    /// extension"; otherwise <c>application/octet-stream</c>.</summary>
    public string? ContentType { get; set; }

    /// <summary>When set, the body is sent as an attachment with this name (<c>Content-Disposition</c> with both
    /// <c>filename</c> and the RFC 5987 <c>filename*</c>, per RFC 6266).</summary>
    public string? FileDownloadName { get; set; }

    /// <summary>Overrides the <c>Last-Modified</c> validator (for a file, its last write time by default; none
    /// for streams and bytes). Sent and compared at whole-second precision.</summary>
    public DateTimeOffset? LastModified { get; set; }

    /// <summary>Overrides the <c>ETag</c> validator (for a file, a strong tag from its identity by default: file id,
    /// length and last write time; none for streams and bytes).</summary>
    public EntityTagHeaderValue? EntityTag { get; set; }

    /// <summary>Whether <c>Range</c> requests are honoured (and <c>Accept-Ranges: bytes</c> sent). On by default.</summary>
    public bool EnableRangeProcessing { get; set; } = true;

    /// <summary>The <c>Cache-Control</c> value sent with 200, 206 and 304 responses, if any
    /// (for example <c>public, max-age=3600</c>).</summary>
    public string? CacheControl { get; set; }

    /// <summary>The most ranges honoured in one request; a request with more gets the whole body (200). 16 by default.</summary>
    public int MaxRanges { get; set; } = Ranges.ByteRangeParser.DefaultMaxRanges;

    /// <summary>The chunk size for reading the body.</summary>
    public int ReadSize { get; set; } = StreamingResults.DefaultFileReadSize;
}
