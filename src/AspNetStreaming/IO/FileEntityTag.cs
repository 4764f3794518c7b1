using System.Globalization;

namespace AspNetStreaming.IO;

/// <summary>
/// The one strong entity tag format for files, shared by downloads (validators, If-Range) and uploads
/// (If-Match against the target), so a tag a client got from a download matches the upload's check.
/// </summary>
internal static class FileEntityTag
{
    /// <summary>A strong tag from the file id (where the platform has one), the length and the full-precision
    /// last write time: any rewrite a reader could observe changes the length or the time, and a replacement
    /// that keeps both (a copy preserving times, a rename over the file) changes the id.</summary>
    public static string Create(FileStamp stamp) => stamp.FileId is { } id
        ? string.Create(CultureInfo.InvariantCulture, $"\"{id:x}-{stamp.Length:x}-{stamp.LastWriteUtc.Ticks:x}\"")
        : string.Create(CultureInfo.InvariantCulture, $"\"{stamp.Length:x}-{stamp.LastWriteUtc.Ticks:x}\"");
}
