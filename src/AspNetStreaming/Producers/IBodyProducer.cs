using System.IO.Pipelines;

namespace AspNetStreaming.Producers;

/// <summary>
/// Something that writes a body into a <see cref="PipeWriter"/>, following the writer's backpressure, and
/// that the application can pause, resume and stop.
/// </summary>
/// <remarks>
/// The contract, for every implementation:
/// <list type="bullet">
/// <item><see cref="ProduceAsync"/> is one awaited call that completes exactly once: successfully after the
/// last byte was flushed, faulted with the read error, or cancelled when stopped or when the consumer went
/// away (a completed or cancelled <see cref="FlushResult"/>).</item>
/// <item>After each chunk it awaits <see cref="PipeWriter.FlushAsync(CancellationToken)"/>; while that is
/// pending nothing more is read, so it never buffers more than the pipe's pause threshold plus one chunk.</item>
/// <item>Whatever it owns (a file, a stream) is closed exactly once, on every path.</item>
/// <item><see cref="Pause"/> after completion, disposing a pause token twice and calling <see cref="Stop"/>
/// twice are harmless no-ops.</item>
/// </list>
/// The producer never completes the writer: the caller that owns the writer does.
/// </remarks>
public interface IBodyProducer : IAsyncDisposable
{
    /// <summary>The number of bytes the producer will write, or <see langword="null"/> when unknown.</summary>
    long? Length { get; }

    /// <summary>How many bytes have been written into the writer and flushed so far (what a log line or a metric
    /// reports when the body ends early).</summary>
    long BytesProduced { get; }

    /// <summary>Whether <see cref="Stop"/> was called: a body that ended early because the application stopped it,
    /// not because the client left.</summary>
    bool IsStopped { get; }

    /// <summary>Where a producer leases chunks larger than a small one from; responses set the app's registered
    /// budget before production starts. Producers of other assemblies lease nothing.</summary>
    internal ChunkBudget? Budget
    {
        get => null;
        set { }
    }

    /// <summary>Writes the whole body into <paramref name="writer"/>. May be called once.</summary>
    /// <param name="writer">Where the bytes go; not completed by the producer.</param>
    /// <param name="cancellationToken">Stops production like <see cref="Stop"/>.</param>
    /// <returns>A task that completes when the last byte was flushed; cancelled when stopped or when the
    /// consumer completed; faulted with the read error.</returns>
    /// <exception cref="InvalidOperationException">Production already started.</exception>
    Task ProduceAsync(PipeWriter writer, CancellationToken cancellationToken = default);

    /// <summary>Pauses production after the chunk in flight. Production resumes when every token returned by
    /// this method has been disposed.</summary>
    /// <returns>A token to dispose to release this pause; disposing it more than once does nothing.</returns>
    IDisposable Pause();

    /// <summary>Ends production promptly: a running <see cref="ProduceAsync"/> closes the owned resources and completes
    /// as cancelled. Before production starts it only marks the producer stopped (a later <see cref="ProduceAsync"/>
    /// completes as cancelled at once); the owned resources are then closed by disposing the producer, which closes
    /// them on every path. Calling it again, or after completion, does nothing.</summary>
    void Stop();
}
