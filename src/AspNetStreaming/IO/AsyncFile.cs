using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace AspNetStreaming.IO;

/// <summary>
/// A file opened for asynchronous random access: reads and writes at explicit offsets through
/// <see cref="RandomAccess"/> on a <see cref="SafeFileHandle"/> opened with <see cref="FileOptions.Asynchronous"/>.
/// </summary>
/// <remarks>
/// <para>
/// There is no shared file position: every read and write names its offset, so one instance can serve
/// concurrent readers. Writes from several callers at overlapping offsets are not ordered; coordinate them.
/// </para>
/// <para>
/// A file opened with <see cref="OpenAppend(string)"/> writes only through the <c>AppendAsync</c> methods;
/// the offset-taking write methods throw <see cref="InvalidOperationException"/> on it, so an append log can
/// never be overwritten in place by mistake.
/// </para>
/// <para>Timeouts: every read and write accepts a <see cref="CancellationToken"/>. The overloads that take
/// a <see cref="TimeSpan"/> turn the elapsed timeout into data or a <see cref="TimeoutException"/>, as each
/// method documents. Cancellation is observed before each system call: one read or write of a regular file is
/// not interruptible once issued (it completes promptly), so a timeout takes effect between calls.</para>
/// <para>Reads: on Windows they are overlapped I/O. Elsewhere the operating system has no asynchronous read of
/// a regular file (.NET's own <see cref="RandomAccess.ReadAsync(SafeFileHandle, Memory{byte}, long, CancellationToken)"/>
/// blocks a pool thread in <c>pread</c>), so a read runs on the calling thread and returns a completed task:
/// the same blocking, without handing the read to another thread and back. Writes stay asynchronous.</para>
/// <para>Regular (seekable) files only: <see cref="RandomAccess"/> throws <see cref="NotSupportedException"/>
/// for pipes, FIFOs and sockets; read those through a <see cref="System.IO.Pipelines.PipeReader"/> or a
/// <see cref="Stream"/> instead.</para>
/// </remarks>
public sealed partial class AsyncFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly bool _ownsHandle;
    private readonly bool _appendOnly;
    private readonly List<ReadOnlyMemory<byte>> _gatherBuffers = new(capacity: 8);
    private long _appendPosition;
    private bool _preallocated;

    private AsyncFile(SafeFileHandle handle, string? path, bool ownsHandle, bool canRead, bool canWrite, bool appendOnly)
    {
        _handle = handle;
        _ownsHandle = ownsHandle;
        Path = path;
        CanRead = canRead;
        CanWrite = canWrite;
        _appendOnly = appendOnly;
        if (appendOnly)
        {
            _appendPosition = RandomAccess.GetLength(handle);
        }
    }

    /// <summary>The path the file was opened from, or <see langword="null"/> when wrapping a handle.</summary>
    public string? Path { get; }

    /// <summary>The underlying handle. Owned by this instance unless it was passed in with <c>ownsHandle: false</c>.</summary>
    public SafeFileHandle Handle => _handle;

    /// <summary>Whether reads are allowed.</summary>
    public bool CanRead { get; }

    /// <summary>Whether writes are allowed.</summary>
    public bool CanWrite { get; }

    /// <summary>Whether the file was opened in append mode (writes only through <c>AppendAsync</c>).</summary>
    public bool IsAppendOnly => _appendOnly;

    /// <summary>Whether <see cref="Dispose"/> has run (or the handle was closed elsewhere).</summary>
    public bool IsClosed => _handle.IsClosed;

    /// <summary>The current length of the file in bytes, read from the file system on each call.</summary>
    public long Length => RandomAccess.GetLength(_handle);

    /// <summary>In append mode: the offset the next append writes at.</summary>
    public long AppendPosition => _appendPosition;

    /// <summary>Opens an existing file for reading. Other readers are allowed; writers and deleters too, so a
    /// file being served can still be replaced (serving code must then cope with a length change).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static AsyncFile OpenRead(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read,
            FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
        return new AsyncFile(handle, path, ownsHandle: true, canRead: true, canWrite: false, appendOnly: false);
    }

    /// <summary>Opens a file for reading and writing at offsets.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="mode">What to do when the file exists or is missing.</param>
    /// <param name="preallocationSize">When greater than zero and the file is created or truncated, the number
    /// of bytes to reserve on disk up front (a hint; the file length stays zero). What was reserved beyond the bytes
    /// written is given back when the file is disposed.</param>
    public static AsyncFile OpenWrite(string path, FileWriteMode mode = FileWriteMode.CreateOrTruncate, long preallocationSize = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(preallocationSize);
        var fileMode = mode switch
        {
            FileWriteMode.CreateOrTruncate => FileMode.Create,
            FileWriteMode.CreateNew => FileMode.CreateNew,
            FileWriteMode.OpenExisting => FileMode.Open,
            FileWriteMode.OpenOrCreate => FileMode.OpenOrCreate,
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
        var preallocate = fileMode is FileMode.Create or FileMode.CreateNew ? preallocationSize : 0;
        var handle = File.OpenHandle(path, fileMode, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete,
            FileOptions.Asynchronous, preallocationSize: preallocate);
        return new AsyncFile(handle, path, ownsHandle: true, canRead: true, canWrite: true, appendOnly: false) { _preallocated = preallocate > 0 };
    }

    /// <summary>Opens (or creates) a file for appending: writes go to the end through
    /// <see cref="AppendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>; offset-taking writes are rejected.</summary>
    /// <remarks>The append position is the length at open time and advances with each append made through
    /// this instance; appends by other processes to the same file are not tracked.</remarks>
    public static AsyncFile OpenAppend(string path)
    {
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete,
            FileOptions.Asynchronous);
        return new AsyncFile(handle, path, ownsHandle: true, canRead: true, canWrite: true, appendOnly: true);
    }

    /// <summary>Wraps a handle that was opened for asynchronous I/O.</summary>
    /// <param name="handle">The handle; it must have been opened with <see cref="FileOptions.Asynchronous"/>.</param>
    /// <param name="canWrite">Whether the handle was opened with write access.</param>
    /// <param name="ownsHandle">Whether <see cref="Dispose"/> closes the handle.</param>
    public static AsyncFile FromHandle(SafeFileHandle handle, bool canWrite = false, bool ownsHandle = true)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (handle.IsInvalid || handle.IsClosed)
        {
            throw new ArgumentException("The handle is invalid or closed.", nameof(handle));
        }

        return new AsyncFile(handle, path: null, ownsHandle, canRead: true, canWrite, appendOnly: false);
    }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; may return fewer
    /// (a partial read). Returns 0 only at end of file.</summary>
    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return ReadCoreAsync(offset, buffer, cancellationToken);
    }

    // Linux and macOS have no asynchronous reads of regular files: RandomAccess.ReadAsync queues a pool thread
    // that calls pread and blocks in it. Calling pread on the current (pool) thread blocks a thread just the
    // same, minus the hand-off to another one and back, which measured a sixth of the CPU of a 64 KiB range
    // request. Windows has real overlapped reads, so there the asynchronous call is the cheap one.
    private ValueTask<int> ReadCoreAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            return RandomAccess.ReadAsync(_handle, buffer, offset, cancellationToken);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        try
        {
            return ValueTask.FromResult(RandomAccess.Read(_handle, buffer.Span, offset));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ObjectDisposedException or NotSupportedException)
        {
            return ValueTask.FromException<int>(error);
        }
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>, unless the end of
    /// the file comes first ("full" read). Returns the number of bytes read, which is less than the buffer
    /// length only at end of file.</summary>
    public async ValueTask<int> ReadFullAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await ReadCoreAsync(offset + total, buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/> within
    /// <paramref name="timeout"/>.</summary>
    /// <param name="offset">Where to read from.</param>
    /// <param name="buffer">Where the bytes go.</param>
    /// <param name="full">When <see langword="true"/>, keep reading until the buffer is full or end of file.</param>
    /// <param name="timeout">How long the whole call may take.</param>
    /// <param name="cancellationToken">Cancels the read with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The number of bytes read. When the timeout elapses after some bytes were read, those bytes are
    /// returned (a partial result, not an error).</returns>
    /// <exception cref="TimeoutException">The timeout elapsed before any byte was read. A zero timeout has elapsed
    /// before the call starts.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, bool full, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ThrowIfExpired(timeout);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var total = 0;
        try
        {
            do
            {
                var read = await ReadCoreAsync(offset + total, buffer[total..], timeoutSource.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }
            while (full && total < buffer.Length);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (total == 0)
            {
                throw new TimeoutException($"No data was read within {timeout}.");
            }
        }

        return total;
    }

    /// <summary>Sets the file length, truncating or extending (with zeros) as needed.</summary>
    public void SetLength(long length)
    {
        if (!CanWrite)
        {
            throw new InvalidOperationException("The file was opened read-only.");
        }

        RandomAccess.SetLength(_handle, length);
        if (_appendOnly)
        {
            _appendPosition = length;
        }
    }

    /// <summary>Forces written data and metadata to the storage device (fsync). Synchronous by nature: the
    /// operating system offers no asynchronous flush, so call it once at the end, not per chunk.</summary>
    public void FlushToDisk()
    {
        if (!CanWrite)
        {
            return;
        }

        RandomAccess.FlushToDisk(_handle);
    }

    /// <summary>Closes the handle if this instance owns it. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (_ownsHandle)
        {
            if (_preallocated && !_handle.IsClosed)
            {
                GiveBackReservedSpace();
            }

            _handle.Dispose();
        }
    }

    // The space reserved past the end stays the file's (du counts it) until it is truncated: a truncate to its own
    // length frees it, for a body shorter than the reservation (a client that sent less than it announced).
    private void GiveBackReservedSpace()
    {
        try
        {
            RandomAccess.SetLength(_handle, RandomAccess.GetLength(_handle));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // A file that cannot be truncated keeps its reservation; it is still closed below.
        }
    }

    private static void ThrowIfExpired(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        if (timeout == TimeSpan.Zero)
        {
            throw new TimeoutException("The timeout was zero: it elapsed before the operation started.");
        }
    }
}
