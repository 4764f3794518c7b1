using System.Buffers;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;

namespace AspNetStreaming.Processes;

/// <summary>
/// Reads one stage's stderr to its end, always (a full stderr pipe would block the program), logging it line by
/// line with a bounded line length and a bounded rate, and keeping a bounded tail in memory. When merging
/// (<see cref="ProcessOptions.MergeStandardError"/>) it also forwards every chunk it reads, whole, into the merged
/// output; lines are still logged and the tail still kept, so nothing is lost from the log either.
/// </summary>
internal sealed class StderrDrain
{
    private readonly ILogger _logger;
    private readonly string _program;
    private readonly int _pid;
    private readonly byte[] _line;
    private readonly int _maxLinesPerSecond;
    private readonly byte[] _tail;
    private readonly MergedOutput? _merge;
    private int _lineLength;
    private bool _lineTruncated;
    private long _tailWritten;
    private long _windowStart;
    private int _linesInWindow;
    private int _suppressed;

    private StderrDrain(ILogger logger, string program, int pid, ProcessOptions options, MergedOutput? merge)
    {
        _merge = merge;
        _logger = logger;
        _program = program;
        _pid = pid;
        _line = new byte[options.StderrMaxLineLength];
        _maxLinesPerSecond = options.StderrMaxLinesPerSecond;
        _tail = new byte[options.StderrCaptureBytes];
    }

    /// <summary>The drain's task: completes at stderr's end.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Total bytes read from stderr.</summary>
    public long BytesRead => _tailWritten;

    public static StderrDrain Start(Stream stderr, ILogger logger, string program, int pid, ProcessOptions options, MergedOutput? merge = null)
    {
        var drain = new StderrDrain(logger, program, pid, options, merge);
        drain.Completion = drain.RunAsync(stderr);
        return drain;
    }

    /// <summary>The captured end of stderr (at most <see cref="ProcessOptions.StderrCaptureBytes"/> bytes).</summary>
    public byte[] GetTail()
    {
        lock (_tail)
        {
            var length = (int)Math.Min(_tail.Length, _tailWritten);
            var result = new byte[length];
            var start = (int)((_tailWritten - length) % Math.Max(1, _tail.Length));
            for (var i = 0; i < length; i++)
            {
                result[i] = _tail[(start + i) % _tail.Length];
            }

            return result;
        }
    }

    private async Task RunAsync(Stream stderr)
    {
        // Held for the whole life of the program, usually for a stderr that says little: 4 KiB, unless what is read
        // goes on into the response (merged), where a chunk is worth its 16 KiB.
        var buffer = ArrayPool<byte>.Shared.Rent(_merge is null ? 4 * 1024 : 16 * 1024);
        var forward = _merge is not null;
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await stderr.ReadAsync(buffer).ConfigureAwait(false);
                }
                catch (Exception error) when (error is IOException or ObjectDisposedException or OperationCanceledException)
                {
                    break;
                }

                if (read == 0)
                {
                    break;
                }

                Consume(buffer.AsSpan(0, read));

                // Once the merged output's reader is gone, keep draining (a full stderr pipe would block the
                // program) and logging, but stop forwarding.
                if (forward)
                {
                    forward = await _merge!.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                }
            }

            if (_lineLength > 0 || _lineTruncated)
            {
                EmitLine();
            }

            ReportSuppressed();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await stderr.DisposeAsync().ConfigureAwait(false);
            if (_merge is not null)
            {
                await _merge.CompleteSourceAsync().ConfigureAwait(false);
            }
        }
    }

    private void Consume(ReadOnlySpan<byte> data)
    {
        if (_tail.Length > 0)
        {
            lock (_tail)
            {
                var keep = data.Length > _tail.Length ? data[^_tail.Length..] : data;
                var skipped = data.Length - keep.Length;
                var position = (int)((_tailWritten + skipped) % _tail.Length);
                foreach (var b in keep)
                {
                    _tail[position] = b;
                    position = position + 1 == _tail.Length ? 0 : position + 1;
                }

                _tailWritten += data.Length;
            }
        }
        else
        {
            _tailWritten += data.Length;
        }

        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            var part = newline < 0 ? data : data[..newline];
            var room = _line.Length - _lineLength;
            if (part.Length > room)
            {
                part[..room].CopyTo(_line.AsSpan(_lineLength));
                _lineLength = _line.Length;
                _lineTruncated = true;
            }
            else
            {
                part.CopyTo(_line.AsSpan(_lineLength));
                _lineLength += part.Length;
            }

            if (newline < 0)
            {
                return;
            }

            EmitLine();
            data = data[(newline + 1)..];
        }
    }

    private void EmitLine()
    {
        var length = _lineLength;
        var truncated = _lineTruncated;
        _lineLength = 0;
        _lineTruncated = false;
        if (!_logger.IsEnabled(LogLevel.Warning))
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(_windowStart, now) >= TimeSpan.FromSeconds(1))
        {
            ReportSuppressed();
            _windowStart = now;
            _linesInWindow = 0;
        }

        if (++_linesInWindow > _maxLinesPerSecond)
        {
            _suppressed++;
            return;
        }

        var span = _line.AsSpan(0, length);
        if (!span.IsEmpty && span[^1] == (byte)'\r')
        {
            span = span[..^1];
        }

        var text = Encoding.UTF8.GetString(span);
        ProcessLog.Stderr(_logger, _program, _pid, truncated ? text + " …(line cut)" : text);
    }

    private void ReportSuppressed()
    {
        if (_suppressed > 0)
        {
            ProcessLog.StderrSuppressed(_logger, _program, _pid, _suppressed);
            _suppressed = 0;
        }
    }
}
