namespace AspNetStreaming.Storage;

/// <summary>A byte range of a stored object: <see cref="Length"/> bytes from <see cref="Offset"/>, or to its end.</summary>
internal readonly record struct StoreRange(long Offset, long? Length);
