namespace AspNetStreaming.Uploads;

/// <summary>Which digest an upload computes beyond the ones it verifies (<see cref="UploadOptions.Digest"/>). A digest
/// the client sends (<c>Content-Digest</c>, <c>Repr-Digest</c>, <c>Content-MD5</c>, tus' <c>Upload-Checksum</c>) is
/// always verified, and a client that asks for one (<c>Want-Repr-Digest</c>, <c>Want-Content-Digest</c>, RFC 9530)
/// always gets the algorithm it prefers; the policy only decides what happens when neither is the case.</summary>
public enum UploadDigestPolicy
{
    /// <summary>Hash only what the client sent or asked for; otherwise nothing (the default: hashing costs more than
    /// storing on a fast disk).</summary>
    WhenRequested,

    /// <summary>Hash every upload with SHA-256 and answer with its <c>Repr-Digest</c>.</summary>
    AlwaysSha256,

    /// <summary>Hash every upload with SHA-512 and answer with its <c>Repr-Digest</c>.</summary>
    AlwaysSha512,
}
