namespace AspNetStreaming.IO;

/// <summary>A line read from a <see cref="System.IO.Pipelines.PipeReader"/> was longer than the caller's maximum.</summary>
public sealed class LineTooLongException : IOException
{
    /// <summary>Creates the exception for a maximum line length.</summary>
    public LineTooLongException(int maxLineLength)
        : base($"A line is longer than the maximum of {maxLineLength} bytes.")
    {
        MaxLineLength = maxLineLength;
    }

    /// <summary>The maximum line length, in bytes, that was exceeded.</summary>
    public int MaxLineLength { get; }
}
