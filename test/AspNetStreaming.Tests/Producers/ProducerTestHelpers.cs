using System.Buffers;
using System.IO.Pipelines;

namespace AspNetStreaming.Tests.Producers;

internal static class ProducerTestHelpers
{
    /// <summary>Reads everything from <paramref name="reader"/> until the writer completes.</summary>
    public static async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        var output = new MemoryStream();
        while (true)
        {
            var result = await reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                output.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return output.ToArray();
            }
        }
    }

    /// <summary>Runs <paramref name="produce"/> into a fresh pipe, completes the writer when it ends, and returns
    /// the bytes plus the production task (which may have faulted or been cancelled).</summary>
    public static async Task<(byte[] Bytes, Task Production)> ProduceToPipeAsync(Func<PipeWriter, Task> produce)
    {
        var pipe = new Pipe();
        var production = Task.Run(async () =>
        {
            try
            {
                await produce(pipe.Writer);
            }
            finally
            {
                await pipe.Writer.CompleteAsync();
            }
        });
        var bytes = await ReadAllAsync(pipe.Reader);
        await Task.WhenAny(production);
        return (bytes, production);
    }

    /// <summary>Whether this process has an open descriptor for <paramref name="path"/> (from /proc/self/fd).</summary>
    public static bool ProcessHoldsOpen(string path)
    {
        var full = Path.GetFullPath(path);
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == full)
                {
                    return true;
                }
            }
            catch (IOException)
            {
                // The descriptor closed while we looked.
            }
        }

        return false;
    }

    public static long Unread(PipeReader reader)
    {
        if (!reader.TryRead(out var result))
        {
            return 0;
        }

        var length = result.Buffer.Length;
        reader.AdvanceTo(result.Buffer.Start);
        return length;
    }

    public static ReadOnlySequence<byte> Empty => ReadOnlySequence<byte>.Empty;
}
