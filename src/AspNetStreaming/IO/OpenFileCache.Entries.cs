namespace AspNetStreaming.IO;

internal sealed partial class OpenFileCache
{
    /// <summary>One open file: the cache holds one reference while it is cached, each lease one more; the last
    /// release closes the file.</summary>
    internal sealed class Entry
    {
        private int _references = 1;

        public Entry(string key, string path, AsyncFile file, FileIdentity identity)
        {
            Key = key;
            Path = path;
            File = file;
            Identity = identity;
            Stamp = identity.ToStamp();
            EntityTag = FileEntityTag.Create(Stamp);
            LastModified = Microsoft.Net.Http.Headers.HeaderUtilities.FormatDate(new DateTimeOffset(Stamp.LastWriteUtc, TimeSpan.Zero));
            Node = new LinkedListNode<Entry>(this);
        }

        public string Key { get; }

        /// <summary>The path as the request named it (links not resolved): what each hit stats.</summary>
        public string Path { get; }

        /// <summary>The validators of this version, made once (every hit is the same version).</summary>
        public FileStamp Stamp { get; }

        /// <inheritdoc cref="Stamp"/>
        public string EntityTag { get; }

        /// <summary>The <c>Last-Modified</c> field value of this version.</summary>
        public string LastModified { get; }

        public AsyncFile File { get; }

        public FileIdentity Identity { get; }

        public LinkedListNode<Entry> Node { get; }

        /// <summary>When it was last rented (a <see cref="TimeProvider"/> timestamp); read and written under the cache's lock.</summary>
        public long LastUsed { get; set; }

        /// <summary>When the kernel last said where the handle lies (a <see cref="System.Diagnostics.Stopwatch"/>
        /// timestamp; 0 at the open, which checked it). A stale read of it only checks once more.</summary>
        public long LocationCheckedAt { get; set; } = System.Diagnostics.Stopwatch.GetTimestamp();

        public void AddRef() => Interlocked.Increment(ref _references);

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0)
            {
                File.Dispose();
            }
        }
    }

    /// <summary>One response's use of a cached file; disposing it (once) lets go of the file.</summary>
    internal sealed class Lease : IDisposable
    {
        private Entry? _entry;

        public Lease(Entry entry)
        {
            _entry = entry;
            Entry = entry;
        }

        /// <summary>What is rented (valid to read until this lease is disposed).</summary>
        public Entry Entry { get; }

        public void Dispose() => Interlocked.Exchange(ref _entry, null)?.Release();
    }
}
