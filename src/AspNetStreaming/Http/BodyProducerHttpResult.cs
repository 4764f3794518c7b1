using AspNetStreaming.Responses;
using AspNetStreaming.Producers;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Http;

/// <summary>
/// An <see cref="IResult"/> that sends any <see cref="IBodyProducer"/> as the response body:
/// <c>Content-Length</c> when the producer knows its length, chunked otherwise. The producer is stopped when
/// the client disconnects, and a failure after the first byte aborts the connection.
/// </summary>
public sealed class BodyProducerHttpResult : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    internal BodyProducerHttpResult(IBodyProducer producer, string? contentType, int statusCode)
    {
        ArgumentNullException.ThrowIfNull(producer);
        Producer = producer;
        ContentType = contentType;
        StatusCode = statusCode;
    }

    /// <summary>The body.</summary>
    public IBodyProducer Producer { get; }

    /// <summary>The <c>Content-Type</c> to send, if any.</summary>
    public string? ContentType { get; }

    /// <summary>The status code to send.</summary>
    public int StatusCode { get; }

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return ProducerResponse.SendAsync(httpContext, Producer, ContentType, StatusCode);
    }
}
