using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AspNetStreaming.Producers;

namespace AspNetStreaming.Http.Ranges;

/// <summary>
/// Builds a <c>multipart/byteranges</c> body (RFC 9110 §14.6): every part header is formatted up front into one
/// buffer, so the exact <c>Content-Length</c> is known before the first byte; the body is a
/// <see cref="SourceBodyProducer"/> run by the one pump (no second copy loop).
/// </summary>
internal static class MultipartByteRanges
{
    /// <summary>Creates the body for <paramref name="ranges"/> and the matching <c>Content-Type</c>.</summary>
    public static BodyProducer Create(RandomAccessSource source, IReadOnlyList<ByteRange> ranges, string partContentType, long totalLength, int readSize, out string contentType)
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
        var parts = new SourceReader.Part[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            var written = Encoding.UTF8.GetBytes(texts[i], buffer.AsSpan(offset));
            parts[i] = i < ranges.Count
                ? new SourceReader.Part(offset, written, ranges[i].Start, ranges[i].Length)
                : new SourceReader.Part(offset, written, 0, 0);
            offset += written;
        }

        return new SourceBodyProducer(new SourceReader(source, buffer, parts), readSize);
    }

    /// <summary>A random boundary per response (so no file content can be crafted to contain it).</summary>
    private static string CreateBoundary()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return Convert.ToHexStringLower(random);
    }
}
