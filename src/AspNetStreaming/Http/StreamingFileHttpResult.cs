using AspNetStreaming.Diagnostics;
using AspNetStreaming.Producers;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace AspNetStreaming.Http;

/// <summary>
/// An <see cref="IResult"/> that sends a file from disk through a <see cref="FileBodyProducer"/>: the file
/// is opened once, read with <see cref="RandomAccess"/> straight into the response's memory, and closed on
/// every path. A missing file is a 404 ProblemDetails.
/// </summary>
public sealed class StreamingFileHttpResult : IResult, IContentTypeHttpResult, IFileHttpResult
{
    internal StreamingFileHttpResult(string path, string? contentType, string? fileDownloadName, int readSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(readSize);
        Path = path;
        ContentType = contentType ?? ContentTypes.FromFileName(path);
        FileDownloadName = fileDownloadName;
        ReadSize = readSize;
    }

    /// <summary>The file to send.</summary>
    public string Path { get; }

    /// <summary>The <c>Content-Type</c>; from the file extension unless given.</summary>
    public string ContentType { get; }

    /// <summary>When set, sent as an attachment with this name (<c>Content-Disposition</c>, RFC 6266 and 5987).</summary>
    public string? FileDownloadName { get; }

    /// <summary>The chunk size for reading the file.</summary>
    public int ReadSize { get; }

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        FileBodyProducer producer;
        try
        {
            producer = new FileBodyProducer(Path, readSize: ReadSize);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            StreamingLog.FileNotFound(ProducerResponse.GetLogger(httpContext), httpContext.Request.Path);
            return ProducerResponse.WriteProblemAsync(httpContext, StatusCodes.Status404NotFound, "Not Found", "No such file.");
        }

        if (FileDownloadName is not null)
        {
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(FileDownloadName);
            httpContext.Response.Headers.ContentDisposition = disposition.ToString();
        }

        return ProducerResponse.SendAsync(httpContext, producer, ContentType);
    }
}
