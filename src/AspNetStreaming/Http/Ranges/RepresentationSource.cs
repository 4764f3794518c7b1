using AspNetStreaming.Responses;
using AspNetStreaming.Producers;

namespace AspNetStreaming.Http.Ranges;

/// <summary>
/// Something a file-like result sends whole or by ranges: it knows its length (when it can) and its default
/// validators, and reads at any offset. Once a body producer is made for it, the producer owns it; until then
/// the response code does (see <see cref="RepresentationResponse"/>).
/// </summary>
internal abstract class RepresentationSource : IDisposable
{
    /// <summary>The length in bytes; <see langword="null"/> when unknown (ranges are then not offered).</summary>
    public abstract long? Length { get; }

    /// <summary>The quoted strong entity tag the source offers by default, if any.</summary>
    public virtual string? DefaultEntityTag => null;

    /// <summary>The last modification time the source offers by default, if any.</summary>
    public virtual DateTimeOffset? DefaultLastModified => null;

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/> (within
    /// <see cref="Length"/>); 0 means the representation ended early (it shrank).</summary>
    public abstract ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>Whether a response may commit its headers before the first read: true when the bytes are
    /// already open and measured, so a failing first read is as unlikely as a failing later one (see
    /// <see cref="ProducerResponse.SendAsync"/>).</summary>
    public virtual bool SendsHeadersFirst => false;

    /// <summary>A producer for the whole body when the length is unknown; it takes over what the source owns.</summary>
    public virtual BodyProducer CreateUnboundedProducer() => throw new NotSupportedException();

    /// <summary>Releases what the source owns (the file, the stream).</summary>
    public abstract void Dispose();
}
