using AspNetStreaming.IO;

namespace AspNetStreaming.Http.Ranges;

/// <summary>
/// A physical file opened once per request. Its length and last write time are read from the open handle,
/// so the validators describe exactly the bytes that will be sent; ranges are read from the same handle at
/// explicit offsets (<see cref="RandomAccess"/>, straight into the response's memory). If the file shrinks
/// afterwards, <see cref="RepresentationBodyProducer"/> faults rather than send a short body; if it grows, only
/// the announced bytes are sent.
/// </summary>
internal sealed class FileRepresentationSource : RepresentationSource
{
    private readonly AsyncFile _file;
    private readonly long _length;
    private readonly DateTime _lastWriteUtc;

    public FileRepresentationSource(AsyncFile file)
    {
        _file = file;
        try
        {
            _length = file.Length;
            _lastWriteUtc = File.GetLastWriteTimeUtc(file.Handle);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public override long? Length => _length;

    /// <summary>The file is open and its length read from the handle; the first read is no riskier than the rest.</summary>
    public override bool SendsHeadersFirst => true;

    /// <inheritdoc cref="FileEntityTag.Create"/>
    public override string? DefaultEntityTag => FileEntityTag.Create(_length, _lastWriteUtc);

    public override DateTimeOffset? DefaultLastModified => new DateTimeOffset(_lastWriteUtc, TimeSpan.Zero);

    public override ValueTask<int> ReadAtAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
        => _file.ReadAsync(offset, destination, cancellationToken);

    public override void Dispose() => _file.Dispose();
}
