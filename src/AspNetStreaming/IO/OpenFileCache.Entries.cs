namespace AspNetStreaming.IO;

internal sealed partial class OpenFileCache
{
    /// <summary>One open file: the cache holds one reference while it is cached, each lease one more; the last
    /// release closes the file.</summary>
    internal sealed class Entry
    {
        private int _references = 1;

        public Entry(string key, AsyncFile file, FileIdentity identity)
        {
            Key = key;
            File = file;
            Identity = identity;
            Node = new LinkedListNode<Entry>(this);
        }

        public string Key { get; }

        public AsyncFile File { get; }

        public FileIdentity Identity { get; }

        public LinkedListNode<Entry> Node { get; }

        /// <summary>When it was last rented (a <see cref="TimeProvider"/> timestamp); read and written under the cache's lock.</summary>
        public long LastUsed { get; set; }

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
            File = entry.File;
            Identity = entry.Identity;
        }

        public AsyncFile File { get; }

        public FileIdentity Identity { get; }

        public void Dispose() => Interlocked.Exchange(ref _entry, null)?.Release();
    }
}
