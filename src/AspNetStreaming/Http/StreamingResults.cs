using AspNetStreaming.Producers;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace AspNetStreaming.Http;

/// <summary>Factories for this library's <see cref="IResult"/> types, in the style of <see cref="Results"/>.</summary>
public static class StreamingResults
{
    /// <summary>
    /// The chunk size file results read with unless told otherwise: 1 MiB. Chosen by measurement (the
    /// "1 GiB download" rows of the bench table in README): server CPU per GiB falls as reads grow, from
    /// about 1.2 s at 64 KiB and 0.6-0.8 s at 256 KiB to 0.5-0.6 s at 1 MiB on the reference machine. The pump sizes each
    /// chunk to what the body has left, so small files and ranges never rent the whole megabyte.
    /// </summary>
    public const int DefaultFileReadSize = 1024 * 1024;

    /// <summary>Sends <paramref name="producer"/> as the body: <c>Content-Length</c> when its length is known,
    /// chunked otherwise.</summary>
    /// <param name="producer">The body; disposed when the response ends.</param>
    /// <param name="contentType">The <c>Content-Type</c>, if any.</param>
    /// <param name="statusCode">The status code; 200 by default.</param>
    public static BodyProducerHttpResult Body(IBodyProducer producer, string? contentType = null, int statusCode = StatusCodes.Status200OK)
        => new(producer, contentType, statusCode);

    /// <summary>Sends a file from disk with range processing, validators and preconditions (RFC 9110).</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="contentType">The <c>Content-Type</c>; from the extension when <see langword="null"/>.</param>
    /// <param name="fileDownloadName">When set, the file is sent as an attachment with this name.</param>
    /// <param name="readSize">The chunk size; <see cref="DefaultFileReadSize"/> by default.</param>
    /// <param name="lastModified">Overrides the file's last write time as <c>Last-Modified</c>.</param>
    /// <param name="entityTag">Overrides the <c>ETag</c> derived from the file's identity (file id, length and last write time).</param>
    /// <param name="enableRangeProcessing">Whether <c>Range</c> requests are honoured; on by default.</param>
    public static StreamingFileHttpResult File(string path, string? contentType = null, string? fileDownloadName = null, int readSize = DefaultFileReadSize,
        DateTimeOffset? lastModified = null, EntityTagHeaderValue? entityTag = null, bool enableRangeProcessing = true)
        => new(path, Options(contentType, fileDownloadName, readSize, lastModified, entityTag, enableRangeProcessing));

    /// <summary>Sends a file from disk as <paramref name="options"/> say (including cache headers and the range cap).</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="options">How to send it; may be shared by many results (it is only read).</param>
    public static StreamingFileHttpResult File(string path, FileResultOptions options) => new(path, options);

    /// <summary>Sends a stream from its current position; seekable streams get ranges and preconditions.</summary>
    /// <param name="stream">The stream; disposed after the response unless <paramref name="leaveOpen"/>.</param>
    /// <param name="contentType">The <c>Content-Type</c>; <c>application/octet-stream</c> (or from
    /// <paramref name="fileDownloadName"/>'s extension) when <see langword="null"/>.</param>
    /// <param name="fileDownloadName">When set, the body is sent as an attachment with this name.</param>
    /// <param name="lastModified">The <c>Last-Modified</c> validator, if any.</param>
    /// <param name="entityTag">The <c>ETag</c> validator, if any.</param>
    /// <param name="enableRangeProcessing">Whether <c>Range</c> requests are honoured; on by default.</param>
    /// <param name="leaveOpen">Whether to leave the stream open after the response.</param>
    public static StreamingStreamHttpResult Stream(Stream stream, string? contentType = null, string? fileDownloadName = null,
        DateTimeOffset? lastModified = null, EntityTagHeaderValue? entityTag = null, bool enableRangeProcessing = true, bool leaveOpen = false)
        => new(stream, Options(contentType, fileDownloadName, BodyProducer.DefaultReadSize, lastModified, entityTag, enableRangeProcessing), leaveOpen);

    /// <summary>Sends a stream from its current position as <paramref name="options"/> say.</summary>
    /// <param name="stream">The stream; disposed after the response unless <paramref name="leaveOpen"/>.</param>
    /// <param name="options">How to send it.</param>
    /// <param name="leaveOpen">Whether to leave the stream open after the response.</param>
    public static StreamingStreamHttpResult Stream(Stream stream, FileResultOptions options, bool leaveOpen = false) => new(stream, options, leaveOpen);

    /// <summary>Sends bytes in memory with ranges and preconditions.</summary>
    /// <param name="contents">The bytes.</param>
    /// <param name="contentType">The <c>Content-Type</c>; <c>application/octet-stream</c> (or from
    /// <paramref name="fileDownloadName"/>'s extension) when <see langword="null"/>.</param>
    /// <param name="fileDownloadName">When set, the body is sent as an attachment with this name.</param>
    /// <param name="lastModified">The <c>Last-Modified</c> validator, if any.</param>
    /// <param name="entityTag">The <c>ETag</c> validator, if any.</param>
    /// <param name="enableRangeProcessing">Whether <c>Range</c> requests are honoured; on by default.</param>
    public static StreamingBytesHttpResult Bytes(ReadOnlyMemory<byte> contents, string? contentType = null, string? fileDownloadName = null,
        DateTimeOffset? lastModified = null, EntityTagHeaderValue? entityTag = null, bool enableRangeProcessing = true)
        => new(contents, Options(contentType, fileDownloadName, BodyProducer.DefaultReadSize, lastModified, entityTag, enableRangeProcessing));

    /// <summary>Sends bytes in memory as <paramref name="options"/> say.</summary>
    /// <param name="contents">The bytes.</param>
    /// <param name="options">How to send them.</param>
    public static StreamingBytesHttpResult Bytes(ReadOnlyMemory<byte> contents, FileResultOptions options) => new(contents, options);

    private static FileResultOptions Options(string? contentType, string? fileDownloadName, int readSize, DateTimeOffset? lastModified,
        EntityTagHeaderValue? entityTag, bool enableRangeProcessing) => new()
    {
        ContentType = contentType,
        FileDownloadName = fileDownloadName,
        ReadSize = readSize,
        LastModified = lastModified,
        EntityTag = entityTag,
        EnableRangeProcessing = enableRangeProcessing,
    };
}
