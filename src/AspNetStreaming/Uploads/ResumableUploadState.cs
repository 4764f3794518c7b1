using System.Text.Json.Serialization;

namespace AspNetStreaming.Uploads;

/// <summary>What the server remembers about one resumable upload (beside its data file). The offset is not
/// stored: it is the data file's length, i.e. exactly the bytes that reached the disk.</summary>
internal sealed class ResumableUploadState
{
    public string Name { get; set; } = "";

    public long? Length { get; set; }

    public bool Complete { get; set; }

    /// <summary>Saved just before the data file is renamed to its name, with the stored length and digests: a state
    /// that says so but has no data file any more was published, and a crash came before it could say complete.</summary>
    public bool Publishing { get; set; }

    /// <summary>The creation request had <c>If-None-Match: *</c>: the publish must not replace an existing file.</summary>
    public bool CreateOnly { get; set; }

    /// <summary>The creation request's <c>If-Match</c>: the publish must replace exactly that version (shared stores;
    /// on the local disk it is checked at creation).</summary>
    public string? IfMatch { get; set; }

    /// <summary>A part of a later concatenation (tus <c>Upload-Concat: partial</c>): completing it publishes nothing.</summary>
    public bool Partial { get; set; }

    /// <summary>The ids of the partial uploads a final upload concatenates, in order (tus <c>Upload-Concat: final</c>).</summary>
    public List<string>? Parts { get; set; }

    /// <summary>The creation's tus <c>Upload-Metadata</c>, as sent (answered back on HEAD).</summary>
    public string? Metadata { get; set; }

    public string? ExpectedSha256 { get; set; }

    public string? ExpectedSha512 { get; set; }

    public long StoredLength { get; set; }

    public string? StoredSha256 { get; set; }

    public string? StoredSha512 { get; set; }

    /// <summary>The digests to compute beyond the expected ones, decided at creation (the creation's
    /// <c>Want-Repr-Digest</c>, else the policy), so every append on every instance hashes the same.</summary>
    public DigestAlgorithms Compute { get; set; }
}

[JsonSerializable(typeof(ResumableUploadState))]
internal sealed partial class ResumableUploadJsonContext : JsonSerializerContext;
