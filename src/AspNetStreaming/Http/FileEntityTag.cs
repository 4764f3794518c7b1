using System.Globalization;

namespace AspNetStreaming.Http;

/// <summary>
/// The one strong entity tag format for files, shared by downloads (validators, If-Range) and uploads
/// (If-Match against the target), so a tag a client got from a download matches the upload's check.
/// </summary>
internal static class FileEntityTag
{
    /// <summary>A strong tag from the length and the full-precision last write time: any rewrite that a
    /// reader could observe changes one of them. (.NET exposes no portable file id to add.)</summary>
    public static string Create(long length, DateTime lastWriteUtc)
        => string.Create(CultureInfo.InvariantCulture, $"\"{length:x}-{lastWriteUtc.Ticks:x}\"");
}
