using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AspNetStreaming.Producers;

namespace AspNetStreaming.Http.Ranges;

/// <summary>
/// Builds a <c>multipart/byteranges</c> body (RFC 9110 §14.6) from existing producers: a
/// <see cref="CompoundBodyProducer"/> of <see cref="MemoryBodyProducer"/> part headers and the source's range
/// producers, so its exact length is known before the first byte and no second copy loop exists.
/// </summary>
internal static class MultipartByteRanges
{
    /// <summary>Creates the body for <paramref name="ranges"/> and the matching <c>Content-Type</c>.</summary>
    public static BodyProducer Create(RepresentationSource source, IReadOnlyList<ByteRange> ranges, string partContentType, long totalLength, int readSize, out string contentType)
    {
        var boundary = CreateBoundary();
        contentType = "multipart/byteranges; boundary=" + boundary;

        // All part headers and the closing delimiter in one buffer, sliced per part.
        var texts = new string[ranges.Count + 1];
        var size = 0;
        for (var i = 0; i < ranges.Count; i++)
        {
            var range = ranges[i];
            texts[i] = string.Create(CultureInfo.InvariantCulture,
                $"{(i == 0 ? "" : "\r\n")}--{boundary}\r\nContent-Type: {partContentType}\r\nContent-Range: bytes {range.Start}-{range.End}/{totalLength}\r\n\r\n");
            size += Encoding.UTF8.GetByteCount(texts[i]);
        }

        texts[^1] = "\r\n--" + boundary + "--\r\n";
        size += Encoding.UTF8.GetByteCount(texts[^1]);
        var buffer = new byte[size];
        var offset = 0;
        var parts = new List<BodyProducer>((ranges.Count * 2) + 1);
        for (var i = 0; i < texts.Length; i++)
        {
            var written = Encoding.UTF8.GetBytes(texts[i], buffer.AsSpan(offset));
            parts.Add(new MemoryBodyProducer(buffer.AsMemory(offset, written), readSize));
            offset += written;
            if (i < ranges.Count)
            {
                // Range producers own nothing (the source does), so an exception here leaks nothing.
                parts.Add(source.CreateProducer(ranges[i].Start, ranges[i].Length));
            }
        }

        return new CompoundBodyProducer(parts, readSize);
    }

    /// <summary>A random boundary per response (so no file content can be crafted to contain it).</summary>
    private static string CreateBoundary()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return Convert.ToHexStringLower(random);
    }
}
