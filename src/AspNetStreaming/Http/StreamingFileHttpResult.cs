using AspNetStreaming.Producers;
using AspNetStreaming.Responses;
using AspNetStreaming.Diagnostics;
using AspNetStreaming.Http.Ranges;
using AspNetStreaming.IO;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Http;

/// <summary>
/// An <see cref="IResult"/> that sends a file from disk with validators, preconditions and byte ranges
/// (RFC 9110): the file is opened once per request, its length and last write time are read from that handle,
/// the body (whole, one range, or <c>multipart/byteranges</c>) is read with <see cref="RandomAccess"/> straight
/// into the response's memory, and the file is closed on every path. A missing file is a 404 ProblemDetails.
/// </summary>
public sealed class StreamingFileHttpResult : IResult, IContentTypeHttpResult, IFileHttpResult
{
    internal StreamingFileHttpResult(string path, FileResultOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ReadSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxRanges);
        Path = path;
        Options = options;
        ContentType = options.ContentType ?? ContentTypes.FromFileName(path);
    }

    /// <summary>The file to send.</summary>
    public string Path { get; }

    /// <summary>The <c>Content-Type</c>; from the file extension unless given.</summary>
    public string ContentType { get; }

    /// <summary>When set, sent as an attachment with this name (<c>Content-Disposition</c>, RFC 6266 and 5987).</summary>
    public string? FileDownloadName => Options.FileDownloadName;

    /// <summary>The chunk size for reading the file.</summary>
    public int ReadSize => Options.ReadSize;

    /// <summary>How the file is sent (validator overrides, ranges, cache headers).</summary>
    public FileResultOptions Options { get; }

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        AsyncFile file;
        try
        {
            file = AsyncFile.OpenRead(Path);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            // UnauthorizedAccessException is also what opening a directory throws: directories are never listed.
            StreamingLog.FileNotFound(RequestLoggers.For(httpContext, ProducerResponse.LoggerCategory), httpContext.Request.Path);
            return Problems.WriteAsync(httpContext, StatusCodes.Status404NotFound, "Not Found", "No such file.");
        }

        return RepresentationResponse.SendAsync(httpContext, new FileSource(file), Options, ContentType);
    }
}
