using System.Buffers;
using AspNetStreaming.IO;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>The end of a resumable upload: the data file verified, published atomically under its name, and the
/// state marked complete (so a HEAD after a lost response still says so).</summary>
internal sealed class ResumablePublisher(LocalResumableUploadStore store, UploadOptions options, string root)
{
    /// <summary>The directory completed uploads are published in.</summary>
    public string Root => root;

    /// <summary>The whole upload's digests: the running ones when this instance hashed every byte as it arrived, else
    /// hashes for reading the upload back.</summary>
    public static UploadDigests DigestsFor(ResumableUploadStore store, string id, long length, byte[]? expected256, byte[]? expected512, DigestAlgorithms compute)
    {
        if (store.TakeRunningDigest(id, length) is not { } running)
        {
            return UploadDigests.Expecting(expected256, expected512, compute);
        }

        using (running)
        {
            return UploadDigests.Finished(running.Finish(), expected256, expected512, compute);
        }
    }

    /// <summary>A digest as the state keeps it.</summary>
    public static string? Base64OrNull(byte[]? digest) => digest is null ? null : Convert.ToBase64String(digest);

    /// <summary>Verifies the whole upload against the <c>Repr-Digest</c> announced at creation (from the running digest of its appends, else re-reading the data file), then publishes it like a raw upload.</summary>
    public async Task<StoredUpload> PublishAsync(string id, ResumableUploadState state, AsyncFile file, CancellationToken cancellationToken)
    {
        byte[]? expected256 = state.ExpectedSha256 is null ? null : Convert.FromBase64String(state.ExpectedSha256);
        byte[]? expected512 = state.ExpectedSha512 is null ? null : Convert.FromBase64String(state.ExpectedSha512);
        using var digests = DigestsFor(store, id, state.Length ?? 0, expected256, expected512, state.Compute);
        if (digests.IsActive)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                long position = 0;
                int read;
                while ((read = await file.ReadAsync(position, buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    digests.Observer(new ReadOnlySequence<byte>(buffer, 0, read));
                    position += read;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        try
        {
            digests.Verify();
        }
        catch (UploadException)
        {
            store.Remove(id);
            throw;
        }

        if (options.Durable)
        {
            file.FlushToDisk();
        }

        var target = Path.Join(root, state.Name);
        // The creation request's If-None-Match: * still holds at publish time, however late that is.
        IHeaderDictionary publishHeaders = new HeaderDictionary();
        if (state.CreateOnly)
        {
            publishHeaders.IfNoneMatch = "*";
        }

        // Said before the rename, so that a crash between the rename and the last save leaves a state that still
        // knows where the bytes went (the data file is gone by then, and its length, the offset, would read 0).
        state.StoredLength = state.Length ?? 0;
        (state.StoredSha256, state.StoredSha512) = (Base64OrNull(digests.Sha256), Base64OrNull(digests.Sha512));
        state.Publishing = true;
        store.Save(id, state);
        var replaced = UploadStorage.Publish(store.PartPath(id), target, publishHeaders, options.Overwrite, options.Durable, out var etag);
        (state.Complete, state.Publishing) = (true, false);
        store.Save(id, state);
        UploadLog.Stored(store.Ingestor.Logger, state.Name, state.StoredLength, replaced);
        return new StoredUpload(state.Name, target, state.StoredLength, digests.Sha256, replaced, etag) { Sha512 = digests.Sha512 };
    }
}
