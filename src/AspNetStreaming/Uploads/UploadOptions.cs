namespace AspNetStreaming.Uploads;

/// <summary>Settings for uploads (raw, multipart and resumable); bound from <c>Streaming:Uploads</c>.</summary>
public sealed class UploadOptions
{
    /// <summary>The directory uploads are stored in. A relative path is taken from the app's content root; it
    /// is created at start-up when missing.</summary>
    public string Root { get; set; } = "uploads";

    /// <summary>The largest upload accepted, in bytes (10 GiB by default). Kestrel's own request body limit is
    /// raised to this value for upload endpoints only.</summary>
    public long MaxSize { get; set; } = 10L << 30;

    /// <summary>Whether to fsync the file and its directory before answering, so a stored upload survives a power
    /// loss. Off by default (costs a flush per upload).</summary>
    public bool Durable { get; set; }

    /// <summary>What to do when the target exists; <see cref="UploadOverwritePolicy.Replace"/> by default.</summary>
    public UploadOverwritePolicy Overwrite { get; set; } = UploadOverwritePolicy.Replace;

    /// <summary>Which digest to compute when the client neither sent one nor asked for one
    /// (<see cref="UploadDigestPolicy.WhenRequested"/>, none, by default). Digests the client sends are always verified;
    /// a <c>Want-Repr-Digest</c>/<c>Want-Content-Digest</c> always gets the algorithm it prefers.</summary>
    public UploadDigestPolicy Digest { get; set; } = UploadDigestPolicy.WhenRequested;

    /// <summary>Whether every upload is hashed with SHA-256 (<see cref="Digest"/> = <see cref="UploadDigestPolicy.AlwaysSha256"/>).</summary>
    [Obsolete("Set Digest instead: WhenRequested (the default) or AlwaysSha256/AlwaysSha512.")]
    public bool ComputeDigest
    {
        get => Digest != UploadDigestPolicy.WhenRequested;
        // Only a change of meaning changes Digest: the configuration binder sets this back to what it read from it, which
        // must not turn a configured AlwaysSha512 into AlwaysSha256.
        set
        {
            if (value != ComputeDigest)
            {
                Digest = value ? UploadDigestPolicy.AlwaysSha256 : UploadDigestPolicy.WhenRequested;
            }
        }
    }

    /// <summary>Whether to reserve the announced <c>Content-Length</c> on disk before reading the body, so a full
    /// disk answers 507 before any byte is transferred. On by default.</summary>
    public bool Preallocate { get; set; } = true;

    /// <summary>The most uploads received at once (all upload endpoints together); more get 503 with
    /// <c>Retry-After</c>.</summary>
    public int MaxConcurrentUploads { get; set; } = 64;

    /// <summary>The slowest body rate accepted, in bytes per second, after <see cref="MinDataRateGracePeriod"/>;
    /// a slower client is disconnected and its upload removed. 0 turns the check off.</summary>
    public double MinDataRate { get; set; } = 240;

    /// <summary>How long a body may stay under <see cref="MinDataRate"/> before the check applies; more than
    /// 1 second (Kestrel's heartbeat).</summary>
    public TimeSpan MinDataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest file name accepted, in UTF-8 bytes (at most 200, leaving room under the usual 255-byte limit).</summary>
    public int MaxNameLength { get; set; } = 200;

    /// <summary>Limits for <c>multipart/form-data</c> uploads.</summary>
    public MultipartUploadOptions Multipart { get; set; } = new();

    /// <summary>Settings for resumable uploads.</summary>
    public ResumableUploadOptions Resumable { get; set; } = new();

    internal static OptionsRules<UploadOptions> Rules { get; } = new("Streaming:Uploads", o =>
        string.IsNullOrWhiteSpace(o.Root) ? "Root must name a directory (an empty one would be the app's content root)."
        : o.MaxSize <= 0 ? "MaxSize must be positive."
        : o.MaxNameLength is <= 0 or > 200 ? "MaxNameLength must be 1..200."
        : o.MaxConcurrentUploads <= 0 ? "MaxConcurrentUploads must be positive."
        : o.MinDataRate < 0 || double.IsNaN(o.MinDataRate) ? "MinDataRate must not be negative (0 turns the check off)."
        : o.MinDataRate > 0 && o.MinDataRateGracePeriod <= TimeSpan.FromSeconds(1) ? "MinDataRateGracePeriod must be longer than 1 second (Kestrel's heartbeat)."
        : o.Multipart is null ? "Multipart must be set."
        : o.Multipart.MaxFileSize <= 0 ? "Multipart:MaxFileSize must be positive."
        : o.Multipart.MaxTotalSize <= 0 ? "Multipart:MaxTotalSize must be positive."
        : o.Multipart.MaxParts <= 0 ? "Multipart:MaxParts must be positive."
        : o.Multipart.MaxHeaderSize <= 0 ? "Multipart:MaxHeaderSize must be positive."
        : o.Multipart.MaxFieldSize is < 0 or > MultipartUploadOptions.MaxBufferedFieldBytes
            ? "Multipart:MaxFieldSize must be 0..64 MiB (field values are held in memory; send larger values as files)."
        : o.Multipart.MaxTotalFieldSize is < 0 or > MultipartUploadOptions.MaxBufferedFieldBytes
            ? "Multipart:MaxTotalFieldSize must be 0..64 MiB (field values are held in memory; send larger values as files)."
        : o.Resumable is null ? "Resumable must be set."
        : o.Resumable.Expiry <= TimeSpan.Zero ? "Resumable:Expiry must be positive."
        : o.Resumable.CleanupInterval <= TimeSpan.Zero || o.Resumable.CleanupInterval.TotalMilliseconds >= int.MaxValue
            ? "Resumable:CleanupInterval must be positive and under 24 days."
        : null);

    /// <summary>Throws <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming the first setting out of range.</summary>
    internal UploadOptions Validate() => Rules.ThrowIfInvalid(this);
}
