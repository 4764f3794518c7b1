using System.Text.Json.Serialization;

namespace AspNetStreaming.Uploads;

/// <summary>What the server remembers about one resumable upload (beside its data file). The offset is not
/// stored: it is the data file's length, i.e. exactly the bytes that reached the disk.</summary>
internal sealed class ResumableUploadState
{
    public string Name { get; set; } = "";

    public long? Length { get; set; }

    public bool Complete { get; set; }

    /// <summary>The creation request had <c>If-None-Match: *</c>: the publish must not replace an existing file.</summary>
    public bool CreateOnly { get; set; }

    /// <summary>The creation request's <c>If-Match</c>: the publish must replace exactly that version (shared stores;
    /// on the local disk it is checked at creation).</summary>
    public string? IfMatch { get; set; }

    public string? ExpectedSha256 { get; set; }

    public string? ExpectedSha512 { get; set; }

    public long StoredLength { get; set; }

    public string? StoredSha256 { get; set; }
}

[JsonSerializable(typeof(ResumableUploadState))]
internal sealed partial class ResumableUploadJsonContext : JsonSerializerContext;
