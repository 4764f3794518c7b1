using AspNetStreaming.Producers;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Http;

/// <summary>Factories for this library's <see cref="IResult"/> types, in the style of <see cref="Results"/>.</summary>
public static class StreamingResults
{
    /// <summary>
    /// The chunk size file results read with unless told otherwise: 256 KiB. Chosen by measurement
    /// (see the bench table in README): larger reads cost less CPU per GiB than 64 KiB reads, and 1 MiB reads
    /// gain little over 256 KiB while holding four times the memory per response.
    /// </summary>
    public const int DefaultFileReadSize = 256 * 1024;

    /// <summary>Sends <paramref name="producer"/> as the body: <c>Content-Length</c> when its length is known,
    /// chunked otherwise.</summary>
    /// <param name="producer">The body; disposed when the response ends.</param>
    /// <param name="contentType">The <c>Content-Type</c>, if any.</param>
    /// <param name="statusCode">The status code; 200 by default.</param>
    public static BodyProducerHttpResult Body(IBodyProducer producer, string? contentType = null, int statusCode = StatusCodes.Status200OK)
        => new(producer, contentType, statusCode);

    /// <summary>Sends a whole file from disk.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="contentType">The <c>Content-Type</c>; from the extension when <see langword="null"/>.</param>
    /// <param name="fileDownloadName">When set, the file is sent as an attachment with this name.</param>
    /// <param name="readSize">The chunk size; <see cref="DefaultFileReadSize"/> by default.</param>
    public static StreamingFileHttpResult File(string path, string? contentType = null, string? fileDownloadName = null, int readSize = DefaultFileReadSize)
        => new(path, contentType, fileDownloadName, readSize);
}
