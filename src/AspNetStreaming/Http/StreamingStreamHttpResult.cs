using AspNetStreaming.Producers;
using AspNetStreaming.Http.Ranges;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Http;

/// <summary>
/// An <see cref="IResult"/> that sends a <see cref="System.IO.Stream"/> from its current position, like
/// <c>Results.Stream</c> but with byte ranges (including <c>multipart/byteranges</c>) and preconditions when the
/// stream is seekable. A non-seekable stream is sent whole with chunked framing and no <c>Accept-Ranges</c>.
/// The stream is disposed after the response unless <see cref="LeaveOpen"/>.
/// </summary>
public sealed class StreamingStreamHttpResult : IResult, IContentTypeHttpResult, IFileHttpResult
{
    internal StreamingStreamHttpResult(Stream stream, FileResultOptions options, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ReadSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxRanges);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(stream));
        }

        Stream = stream;
        Options = options;
        LeaveOpen = leaveOpen;
        ContentType = options.ContentType ?? (options.FileDownloadName is { } name ? ContentTypes.FromFileName(name) : ContentTypes.Default);
    }

    /// <summary>The stream to send.</summary>
    public Stream Stream { get; }

    /// <summary>The <c>Content-Type</c>.</summary>
    public string ContentType { get; }

    /// <summary>When set, sent as an attachment with this name.</summary>
    public string? FileDownloadName => Options.FileDownloadName;

    /// <summary>Whether the stream stays open after the response.</summary>
    public bool LeaveOpen { get; }

    /// <summary>How the stream is sent.</summary>
    public FileResultOptions Options { get; }

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return RepresentationResponse.SendAsync(httpContext, new StreamSource(Stream, LeaveOpen), Options, ContentType);
    }
}
