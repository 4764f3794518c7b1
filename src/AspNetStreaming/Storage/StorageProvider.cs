namespace AspNetStreaming.Storage;

/// <summary>The stores <see cref="StorageOptions.Provider"/> can name.</summary>
public enum StorageProvider
{
    /// <summary>The local file system: files under <c>Streaming:Files:Root</c>, uploads under <c>Streaming:Uploads:Root</c>.</summary>
    FileSystem,

    /// <summary>Block blobs of one Azure Blob Storage container (or Azurite), through the official SDK.</summary>
    AzureBlob,
}
