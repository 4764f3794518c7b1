namespace AspNetStreaming.Http.Ranges;

/// <summary>A satisfiable byte range of a representation: <see cref="Length"/> bytes from <see cref="Start"/>.</summary>
/// <param name="Start">The offset of the first byte.</param>
/// <param name="Length">How many bytes; at least one.</param>
internal readonly record struct ByteRange(long Start, long Length)
{
    /// <summary>The offset of the last byte (inclusive), as written in <c>Content-Range</c>.</summary>
    public long End => Start + Length - 1;
}
