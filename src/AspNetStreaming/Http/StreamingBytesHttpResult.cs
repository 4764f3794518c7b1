using AspNetStreaming.Producers;
using AspNetStreaming.Http.Ranges;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Http;

/// <summary>
/// An <see cref="IResult"/> that sends bytes already in memory, like <c>Results.Bytes</c> but with byte ranges
/// (including <c>multipart/byteranges</c>) and preconditions.
/// </summary>
public sealed class StreamingBytesHttpResult : IResult, IContentTypeHttpResult, IFileHttpResult
{
    internal StreamingBytesHttpResult(ReadOnlyMemory<byte> contents, FileResultOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ReadSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxRanges);
        Contents = contents;
        Options = options;
        ContentType = options.ContentType ?? (options.FileDownloadName is { } name ? ContentTypes.FromFileName(name) : ContentTypes.Default);
    }

    /// <summary>The bytes to send.</summary>
    public ReadOnlyMemory<byte> Contents { get; }

    /// <summary>The <c>Content-Type</c>.</summary>
    public string ContentType { get; }

    /// <summary>When set, sent as an attachment with this name.</summary>
    public string? FileDownloadName => Options.FileDownloadName;

    /// <summary>How the bytes are sent.</summary>
    public FileResultOptions Options { get; }

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return RepresentationResponse.SendAsync(httpContext, new MemorySource(Contents), Options, ContentType);
    }
}
