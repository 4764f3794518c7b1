namespace AspNetStreaming.IO;

/// <summary>How <see cref="AsyncFile.OpenWrite(string, FileWriteMode, long)"/> treats an existing file.</summary>
public enum FileWriteMode
{
    /// <summary>Create the file, or truncate it to zero bytes if it exists.</summary>
    CreateOrTruncate,

    /// <summary>Create the file; fail with <see cref="IOException"/> if it already exists.</summary>
    CreateNew,

    /// <summary>Open an existing file without truncating it; fail with <see cref="FileNotFoundException"/> if it is missing.</summary>
    OpenExisting,

    /// <summary>Open the file if it exists or create it, keeping its content.</summary>
    OpenOrCreate,
}
