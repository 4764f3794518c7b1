namespace AspNetStreaming.Uploads;

/// <summary>Limits for <c>multipart/form-data</c> uploads; bound from <c>Streaming:Uploads:Multipart</c>.</summary>
public sealed class MultipartUploadOptions
{
    /// <summary>The largest single file part, in bytes (1 GiB by default).</summary>
    public long MaxFileSize { get; set; } = 1L << 30;

    /// <summary>The largest whole request body (all parts and their framing), in bytes (4 GiB by default).</summary>
    public long MaxTotalSize { get; set; } = 4L << 30;

    /// <summary>The most parts (files and fields) in one request (32 by default).</summary>
    public int MaxParts { get; set; } = 32;

    /// <summary>The most bytes of headers one part may have (8 KiB by default).</summary>
    public int MaxHeaderSize { get; set; } = 8 * 1024;

    // Field values are read whole into memory (they become strings): the limits' own upper bound.
    internal const int MaxBufferedFieldBytes = 64 << 20;

    /// <summary>The longest value of one form field, in bytes (16 KiB by default, at most 64 MiB).</summary>
    public int MaxFieldSize { get; set; } = 16 * 1024;

    /// <summary>The most bytes of all form field values together (64 KiB by default, at most 64 MiB).</summary>
    public int MaxTotalFieldSize { get; set; } = 64 * 1024;
}
