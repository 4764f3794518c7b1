using AspNetStreaming.Storage.AzureBlob;
using Azure.Core;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace AspNetStreaming.Storage;

/// <summary>The app's configured store, as the features ask for it: a <see cref="FileStore"/> for the files a
/// feature serves. The blob client is made on first use and makes no request until then, so a store that is down
/// at start-up does not stop the app: its requests answer 503 instead.</summary>
internal sealed class StreamingStorage
{
    private readonly StorageOptions _options;
    private readonly Lazy<BlobContainerClient> _container;
    private readonly Lazy<AzureBlobFileStore> _blobWithDotFiles;
    private readonly Lazy<AzureBlobFileStore> _blobWithoutDotFiles;
    private readonly Lazy<BlobResumableObjects> _resumable;

    public StreamingStorage(IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = StorageOptions.Rules.ThrowIfInvalid(options.Value);
        _container = new Lazy<BlobContainerClient>(() => new BlobServiceClient(_options.AzureBlob.ConnectionString, ClientOptions(_options.AzureBlob))
            .GetBlobContainerClient(_options.AzureBlob.Container));
        _blobWithDotFiles = new Lazy<AzureBlobFileStore>(() => NewBlobStore(allowDotFiles: true));
        _blobWithoutDotFiles = new Lazy<AzureBlobFileStore>(() => NewBlobStore(allowDotFiles: false));
        _resumable = new Lazy<BlobResumableObjects>(() => new BlobResumableObjects(BlobStore(allowDotFiles: false)));
    }

    public StorageProvider Provider => _options.Provider;

    /// <summary>The store file mappings serve: the container, or <see langword="null"/> for the local disk (where each
    /// mapping serves its own root, with its own open-file cache).</summary>
    public FileStore? ForFiles(bool allowDotFiles) => _options.Provider == StorageProvider.AzureBlob ? BlobStore(allowDotFiles) : null;

    /// <summary>The store uploads write into: the container, or <see langword="null"/> for the local disk (where the
    /// upload endpoints write files under their own root).</summary>
    public FileStore? ForUploads() => _options.Provider == StorageProvider.AzureBlob ? BlobStore(allowDotFiles: false) : null;

    /// <summary>Where resumable uploads keep their bytes and state so that every instance sees them: the container
    /// (beside the uploads), or <see langword="null"/> for the local disk.</summary>
    public ResumableObjectStore? ForResumable() => _options.Provider == StorageProvider.AzureBlob ? _resumable.Value : null;

    // One store per dot-file rule, made once: a store checks its container on first use only.
    private AzureBlobFileStore BlobStore(bool allowDotFiles) => (allowDotFiles ? _blobWithDotFiles : _blobWithoutDotFiles).Value;

    private AzureBlobFileStore NewBlobStore(bool allowDotFiles) => new(_container.Value, _options.AzureBlob.Prefix, _options.AzureBlob.CreateContainer,
        allowDotFiles, _options.AzureBlob.BlockSize, _options.AzureBlob.MaxConcurrency, _options.AzureBlob.MaxBlocks);

    // The SDK's own retry policy, bounded so that a request waits seconds, not minutes, before its 503: a store that
    // hangs costs (MaxRetries + 1) network timeouts, 30 s with the defaults (it was 4 × 30 s, and then a 500).
    private static BlobClientOptions ClientOptions(AzureBlobStorageOptions blob)
    {
        var options = new BlobClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = blob.MaxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        options.Retry.NetworkTimeout = blob.NetworkTimeout;
        return options;
    }
}
