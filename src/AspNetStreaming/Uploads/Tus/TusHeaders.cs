using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads.Tus;

/// <summary>The tus 1.0.0 request fields, parsed strictly (a malformed one is a 400).</summary>
internal static class TusHeaders
{
    public const string Version = "1.0.0";
    public const string Extensions = "creation,creation-with-upload,creation-defer-length,termination,checksum,expiration,concatenation";
    public const string ChecksumAlgorithms = "md5,sha1,sha256";
    public const string ChunkContentType = "application/offset+octet-stream";

    /// <summary>Whether the request speaks the version served; every request but OPTIONS must say so.</summary>
    public static bool SpeaksVersion(HttpRequest request) => request.Headers["Tus-Resumable"].ToString().Trim() == Version;

    /// <summary>The announced length, or <see langword="null"/> with <c>Upload-Defer-Length: 1</c>; exactly one of the
    /// two is required.</summary>
    public static long? ParseLength(HttpRequest request, bool required)
    {
        var deferred = request.Headers["Upload-Defer-Length"].ToString().Trim();
        var length = ResumableHeaders.ParseInteger(request, "Upload-Length", required: false);
        return (length, deferred) switch
        {
            (not null, "") => length,
            (null, "1") => null,
            (null, "") when !required => null,
            (not null, _) => throw UploadException.BadRequest("Upload-Length and Upload-Defer-Length exclude each other."),
            (null, "") => throw UploadException.BadRequest("Upload-Length or Upload-Defer-Length: 1 is required."),
            _ => throw UploadException.BadRequest("Upload-Defer-Length must be 1."),
        };
    }

    /// <summary><c>Upload-Metadata</c>: comma-separated <c>key base64value</c> pairs (the value may be absent). Values are
    /// bytes, not necessarily text (tus asks only for base64): they are kept as sent and echoed back as they came.</summary>
    public static Dictionary<string, byte[]?> ParseMetadata(string field)
    {
        var metadata = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        foreach (var pair in field.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // A key is any run of visible characters without spaces or commas (ASCII is a SHOULD of the protocol).
            if (parts.Length > 2 || parts[0].Any(c => c < 0x21 || c == 0x7f))
            {
                throw UploadException.BadRequest("Upload-Metadata must be comma-separated pairs of a key and a base64 value.");
            }

            byte[]? value = null;
            if (parts.Length == 2)
            {
                try
                {
                    value = Convert.FromBase64String(parts[1]);
                }
                catch (FormatException)
                {
                    throw UploadException.BadRequest($"The Upload-Metadata value of '{parts[0]}' is not base64.");
                }
            }

            if (!metadata.TryAdd(parts[0], value))
            {
                throw UploadException.BadRequest($"Upload-Metadata names '{parts[0]}' twice.");
            }
        }

        return metadata;
    }

    /// <summary>The file name a creation asks for: metadata <c>filename</c> (tus-js-client, Uppy), else <c>name</c>; as
    /// UTF-8 text, which a name must be.</summary>
    /// <exception cref="UploadException">The name is not UTF-8 text (400).</exception>
    public static string? NameFrom(Dictionary<string, byte[]?> metadata)
    {
        var (key, bytes) = metadata.GetValueOrDefault("filename") is { Length: > 0 } filename ? ("filename", filename)
            : metadata.GetValueOrDefault("name") is { Length: > 0 } name ? ("name", name) : ("", null);
        try
        {
            return bytes is null ? null : StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw UploadException.BadRequest($"The Upload-Metadata value of '{key}' is not UTF-8 text, which a file name must be.");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>The chunk's <c>Upload-Checksum</c> (<c>algorithm base64</c>) as a check, or none.</summary>
    public static UploadDigests ChecksumOf(HttpRequest request)
    {
        var field = request.Headers["Upload-Checksum"].ToString().Trim();
        if (field.Length == 0)
        {
            return UploadDigests.Expecting(null, null, DigestAlgorithms.None);
        }

        var parts = field.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (algorithm, length) = parts.Length == 2 ? parts[0].ToLowerInvariant() switch
        {
            "sha1" => (HashAlgorithmName.SHA1, 20),
            "md5" => (HashAlgorithmName.MD5, 16),
            "sha256" => (HashAlgorithmName.SHA256, 32),
            _ => throw UploadException.BadRequest($"Upload-Checksum algorithm '{parts[0]}' is not supported ({ChecksumAlgorithms})."),
        } : throw UploadException.BadRequest("Upload-Checksum must be an algorithm and a base64 checksum.");
        var expected = new byte[length];
        if (!Convert.TryFromBase64String(parts[1], expected, out var written) || written != length)
        {
            throw UploadException.BadRequest($"Upload-Checksum does not hold a base64 {parts[0]} checksum.");
        }

        return UploadDigests.Checking(algorithm, expected, "Upload-Checksum " + parts[0]);
    }

    /// <summary><c>Upload-Concat</c>: <c>partial</c>, or <c>final;</c> and the space-separated URLs of the partial
    /// uploads (absolute or not), which must be uploads of <paramref name="uploadsPath"/>; their ids in order.</summary>
    public static (bool Partial, List<string>? Final) ParseConcat(HttpRequest request, string uploadsPath)
    {
        var field = request.Headers["Upload-Concat"].ToString().Trim();
        if (field.Length == 0)
        {
            return (false, null);
        }

        if (field == "partial")
        {
            return (true, null);
        }

        if (!field.StartsWith("final;", StringComparison.Ordinal))
        {
            throw UploadException.BadRequest("Upload-Concat must be 'partial' or 'final;' and the partial uploads' URLs.");
        }

        var ids = new List<string>();
        foreach (var url in field["final;".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Uri.TryCreate(url, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : url;
            var id = path.StartsWith(uploadsPath + "/", StringComparison.Ordinal) ? path[(uploadsPath.Length + 1)..] : null;
            if (!ResumableUploadStore.IsValidId(id))
            {
                throw UploadException.BadRequest($"Upload-Concat names '{url}', which is not an upload of {uploadsPath}.");
            }

            ids.Add(id!);
        }

        return ids.Count > 0 ? (false, ids) : throw UploadException.BadRequest("Upload-Concat: final; names no partial upload.");
    }

    public static string Date(DateTimeOffset time) => time.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);
}
