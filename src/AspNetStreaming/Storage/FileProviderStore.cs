using AspNetStreaming.IO;
using AspNetStreaming.Producers;
using Microsoft.Extensions.FileProviders;

namespace AspNetStreaming.Storage;

/// <summary>
/// The files of an <see cref="IFileProvider"/> that has no single physical root (embedded resources, a composite of
/// several): names are checked as a store's are (<see cref="StoreNames"/>), then looked up through the provider. A
/// file with a physical path is opened as a file; any other is read through its stream (ranges when it can seek),
/// with a strong tag made from its length and time, as a file without an inode gets.
/// </summary>
internal sealed class FileProviderStore(IFileProvider provider, bool allowDotFiles) : FileStore
{
    public override ValueTask<StoreOpening> OpenReadAsync(string? name, StoreRange? firstRead, CancellationToken cancellationToken)
    {
        if (!StoreNames.IsAllowed(name, allowDotFiles, out var reason))
        {
            return ValueTask.FromResult(StoreOpening.Refused(reason ?? "refused"));
        }

        var info = provider.GetFileInfo(name!); // IsAllowed refused null and empty names
        if (!info.Exists || info.IsDirectory)
        {
            return ValueTask.FromResult(StoreOpening.NotFound());
        }

        try
        {
            RandomAccessSource source = info.PhysicalPath is { } path
                ? new FileSource(AsyncFile.OpenRead(path))
                : new FileInfoSource(info);
            return ValueTask.FromResult(StoreOpening.Found(source));
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return ValueTask.FromResult(StoreOpening.NotFound());
        }
    }

    /// <summary>A provider's file read through its stream, with validators from its length and last modification.</summary>
    private sealed class FileInfoSource(IFileInfo info) : RandomAccessSource
    {
        // A stream that cannot seek (a zip entry, a decompressing provider) still has the file's length, for
        // Content-Length, the tag and ranges read forward.
        private readonly StreamSource _stream = new(info.CreateReadStream(), leaveOpen: false, info.Length >= 0 ? info.Length : null);

        public override long? Length => _stream.Length;

        public override string? DefaultEntityTag => Length is { } length
            ? FileEntityTag.Create(new FileStamp(length, info.LastModified.UtcDateTime, null))
            : null;

        public override DateTimeOffset? DefaultLastModified => info.LastModified;

        public override ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
            => _stream.ReadAtAsync(offset, destination, cancellationToken);

        public override void Dispose() => _stream.Dispose();

        public override ValueTask CloseAsync() => _stream.CloseAsync();
    }
}
