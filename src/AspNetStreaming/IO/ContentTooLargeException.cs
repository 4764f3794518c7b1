namespace AspNetStreaming.IO;

/// <summary>More bytes arrived than the configured maximum allows.</summary>
public sealed class ContentTooLargeException : IOException
{
    /// <summary>Creates the exception for a byte limit.</summary>
    public ContentTooLargeException(long limit)
        : base($"The content is larger than the limit of {limit} bytes.")
    {
        Limit = limit;
    }

    /// <summary>The limit, in bytes, that was exceeded.</summary>
    public long Limit { get; }
}
