namespace AspNetStreaming.Storage;

/// <summary>Where files and uploads live, bound from <c>Streaming:Storage</c>: the local disk (the default, each
/// feature under its own root) or one Azure Blob Storage container shared by every instance of the app.</summary>
public sealed class StorageOptions
{
    /// <summary>The store: <see cref="StorageProvider.FileSystem"/> by default.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.FileSystem;

    /// <summary>The container, when <see cref="Provider"/> is <see cref="StorageProvider.AzureBlob"/>.</summary>
    public AzureBlobStorageOptions AzureBlob { get; set; } = new();

    internal static OptionsRules<StorageOptions> Rules { get; } = new("Streaming:Storage", o =>
        o.Provider is not (StorageProvider.FileSystem or StorageProvider.AzureBlob) ? "Provider must be FileSystem or AzureBlob."
        : o.Provider == StorageProvider.AzureBlob ? AzureBlobStorageOptions.Problem(o.AzureBlob)
        : null);
}
