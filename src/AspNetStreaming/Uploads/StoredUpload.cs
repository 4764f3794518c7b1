namespace AspNetStreaming.Uploads;

/// <summary>A file that an upload stored and published under its final name.</summary>
public sealed class StoredUpload
{
    /// <summary>Creates the description.</summary>
    public StoredUpload(string name, string path, long length, byte[]? sha256, bool replaced, string? etag)
    {
        Name = name;
        FullPath = path;
        Length = length;
        Sha256 = sha256;
        Replaced = replaced;
        ETag = etag;
    }

    /// <summary>The file name (no directory).</summary>
    public string Name { get; }

    /// <summary>Where the file is on the server. Never send this to clients.</summary>
    public string FullPath { get; }

    /// <summary>The stored length in bytes.</summary>
    public long Length { get; }

    /// <summary>The SHA-256 of the stored bytes, when computed.</summary>
    public byte[]? Sha256 { get; }

    /// <summary>The SHA-512 of the stored bytes, when computed.</summary>
    public byte[]? Sha512 { get; init; }

    /// <summary>The <c>Repr-Digest</c> field value (<c>sha-256=:…:</c> and/or <c>sha-512=:…:</c>), when a digest was
    /// computed (asked for, configured, or sent by the client and verified).</summary>
    public string? ReprDigest => UploadDigests.ReprDigest(Sha256, Sha512);

    /// <summary>Whether an existing file was replaced (204) rather than created (201).</summary>
    public bool Replaced { get; }

    /// <summary>The stored file's entity tag (for a later <c>If-Match</c>).</summary>
    public string? ETag { get; }

    /// <summary>The form field the file came from (multipart uploads only).</summary>
    public string? FieldName { get; init; }
}
