using Azure.Storage.Blobs;

namespace AspNetStreaming.Storage;

/// <summary>One Azure Blob Storage container, bound from <c>Streaming:Storage:AzureBlob</c>.</summary>
public sealed class AzureBlobStorageOptions
{
    /// <summary>The storage account's connection string (from configuration or the environment; never logged).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The container's name (3–63 lowercase letters, digits and single hyphens).</summary>
    public string? Container { get; set; }

    /// <summary>A folder every name lies under (for example <c>site-a/</c>; the trailing slash is implied, so
    /// <c>site-a</c> never reaches <c>site-ab/…</c>), so several apps can share a container; empty by default.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Bytes per staged block of an upload: 4 MiB by default.</summary>
    public int BlockSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most blocks of one upload in flight at once: 4 by default.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Whether a missing container is created on first use; off by default (then requests answer 503).</summary>
    public bool CreateContainer { get; set; }

    /// <summary>How long one try of a request to the service may take before it is retried (the SDK's network
    /// timeout): 10 s by default, enough for a block on a slow link. A store that hangs is a 503 after about
    /// <c>(MaxRetries + 1) × NetworkTimeout</c>.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times the SDK retries a failed or timed-out request (exponential back-off from 200 ms, at
    /// most 2 s): 2 by default.</summary>
    public int MaxRetries { get; set; } = 2;

    // The service's limit; fewer only so that a test can reach it with a few requests (not bound from configuration).
    internal int MaxBlocks { get; set; } = AzureBlob.AzureBlobFileStore.ServiceMaxBlocks;

    internal static string? Problem(AzureBlobStorageOptions o)
        => string.IsNullOrWhiteSpace(o.ConnectionString) ? "AzureBlob:ConnectionString is required with Provider AzureBlob."
        : !IsConnectionString(o.ConnectionString) ? "AzureBlob:ConnectionString is not a storage connection string."
        : o.Container is null || !IsContainerName(o.Container) ? "AzureBlob:Container must be 3-63 lowercase letters, digits and single hyphens, starting with a letter or digit."
        : o.Prefix.StartsWith('/') || (o.Prefix.Length > 0 && !StoreNames.IsAllowed(o.Prefix.TrimEnd('/'), allowDotFiles: false, out _)) ? "AzureBlob:Prefix must be a relative name (segments without '.', '..' or a leading dot)."
        : o.BlockSize is < 64 * 1024 or > 100 * 1024 * 1024 ? "AzureBlob:BlockSize must be between 64 KiB and 100 MiB."
        : o.MaxConcurrency is < 1 or > 64 ? "AzureBlob:MaxConcurrency must be between 1 and 64."
        : o.NetworkTimeout < TimeSpan.FromSeconds(1) || o.NetworkTimeout > TimeSpan.FromMinutes(10) ? "AzureBlob:NetworkTimeout must be between 1 second and 10 minutes."
        : o.MaxRetries is < 0 or > 10 ? "AzureBlob:MaxRetries must be between 0 and 10."
        : null;

    private static bool IsContainerName(string name)
        => name.Length is >= 3 and <= 63 && char.IsAsciiLetterOrDigit(name[0]) && !name.Contains("--", StringComparison.Ordinal)
           && !name.EndsWith('-') && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    // Parsing makes no request; the message never repeats the string, which holds a key.
    private static bool IsConnectionString(string connectionString)
    {
        try
        {
            _ = new BlobServiceClient(connectionString);
            return true;
        }
        catch (Exception error) when (error is FormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
