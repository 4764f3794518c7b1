using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>The digests an upload is checked against (RFC 9530 <c>Content-Digest</c> / <c>Repr-Digest</c> with
/// <c>sha-256</c> and <c>sha-512</c>, legacy <c>Content-MD5</c>), hashed while the body streams.</summary>
/// <remarks>Uploads are stored as sent (no content coding is undone), so the content and the representation
/// are the same bytes and both fields are checked against them. Unknown algorithms are ignored, as RFC 9530
/// allows.</remarks>
internal sealed class UploadDigests : IDisposable
{
    private byte[]? _expectedSha256;
    private byte[]? _expectedSha512;
    private readonly byte[]? _expectedOther;
    private readonly string _otherName;
    private readonly IncrementalHash? _sha256;
    private readonly IncrementalHash? _sha512;
    private readonly IncrementalHash? _other;
    private (byte[] Sha256, byte[]? Sha512)? _finished;
    private Action<ReadOnlySequence<byte>>? _also;
    private DigestAlgorithms _report;

    private UploadDigests(byte[]? sha256, byte[]? sha512, byte[]? md5, DigestAlgorithms compute)
        : this(sha256, sha512, md5 is null ? null : (HashAlgorithmName.MD5, md5, "Content-MD5"), compute)
    {
    }

    // "Other" is the one more checksum a request may carry in a field of its own: Content-MD5, or tus' Upload-Checksum.
    private UploadDigests(byte[]? sha256, byte[]? sha512, (HashAlgorithmName Algorithm, byte[] Expected, string Name)? other, DigestAlgorithms compute)
    {
        _expectedSha256 = sha256;
        _expectedSha512 = sha512;
        _expectedOther = other?.Expected;
        _otherName = other?.Name ?? "";
        _report = Reported(compute, sha256, sha512);
        if (_report.HasFlag(DigestAlgorithms.Sha256))
        {
            _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }

        if (_report.HasFlag(DigestAlgorithms.Sha512))
        {
            _sha512 = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        }

        if (other is { } checksum)
        {
            _other = IncrementalHash.CreateHash(checksum.Algorithm); // MD5 and SHA-1 too: integrity checks the client asked for, not security controls
        }

        Observer = Observe;
    }

    /// <summary>Feeds a buffer to every hash; allocated once per upload, called per read.</summary>
    public Action<ReadOnlySequence<byte>> Observer { get; }

    /// <summary>Whether the request carried a checksum of its own content to check (<c>Content-Digest</c>,
    /// <c>Content-MD5</c>, tus' <c>Upload-Checksum</c>): then a body cut short is unchecked, and none of it may be kept.</summary>
    public bool ChecksContent => _expectedSha256 is not null || _expectedSha512 is not null || _expectedOther is not null;

    /// <summary>Whether any hashing happens at all.</summary>
    public bool IsActive => _sha256 is not null || _sha512 is not null || _other is not null || _also is not null;

    /// <summary>The SHA-256 of everything observed, once <see cref="Verify"/> has run; null when not asked for,
    /// configured or verified.</summary>
    public byte[]? Sha256 { get; private set; }

    /// <inheritdoc cref="Sha256"/>
    public byte[]? Sha512 { get; private set; }

    /// <summary>Reads the digest fields of <paramref name="headers"/>, to verify, and computes <paramref name="compute"/> too.</summary>
    /// <exception cref="UploadException">A digest field is malformed (400).</exception>
    public static UploadDigests FromHeaders(IHeaderDictionary headers, DigestAlgorithms compute, bool includeRepresentation = true)
    {
        byte[]? sha256 = null, sha512 = null, md5 = null;
        foreach (var field in includeRepresentation ? new[] { "Content-Digest", "Repr-Digest" } : ["Content-Digest"])
        {
            ReadField(headers, field, ref sha256, ref sha512);
        }

        var contentMd5 = headers["Content-MD5"].ToString();
        if (contentMd5.Length > 0)
        {
            md5 = Decode(contentMd5.Trim(), 16, "Content-MD5");
        }

        return new UploadDigests(sha256, sha512, md5, compute);
    }

    /// <summary>Finishes the hashes and compares them with what the client announced.</summary>
    /// <exception cref="UploadException">A digest does not match (400).</exception>
    public void Verify()
    {
        var sha256 = _finished?.Sha256 ?? _sha256?.GetHashAndReset();
        var sha512 = _finished is { } finished ? finished.Sha512 : _sha512?.GetHashAndReset();
        Check(_expectedSha256, sha256, "sha-256");
        Check(_expectedSha512, sha512, "sha-512");
        Check(_expectedOther, _other?.GetHashAndReset(), _otherName);
        Sha256 = _report.HasFlag(DigestAlgorithms.Sha256) ? sha256 : null;
        Sha512 = _report.HasFlag(DigestAlgorithms.Sha512) ? sha512 : null;
    }

    /// <summary>Creates hashes that check the given expected digests (null = not checked).</summary>
    public static UploadDigests Expecting(byte[]? sha256, byte[]? sha512, DigestAlgorithms compute) => new(sha256, sha512, (byte[]?)null, compute);

    /// <summary>Checks digests computed already (a <see cref="RunningDigest"/>) against the expected ones: nothing is
    /// hashed (<see cref="IsActive"/> is false), <see cref="Verify"/> compares.</summary>
    public static UploadDigests Finished((byte[] Sha256, byte[]? Sha512) computed, byte[]? expectedSha256, byte[]? expectedSha512, DigestAlgorithms compute)
        => new((byte[]?)null, null, (byte[]?)null, DigestAlgorithms.None)
        {
            _finished = computed,
            _expectedSha256 = expectedSha256,
            _expectedSha512 = expectedSha512,
            _report = Reported(compute, expectedSha256, expectedSha512),
        };

    /// <summary>Also feeds <paramref name="observer"/> every buffer (a whole upload's running digest beside this
    /// request's own checks).</summary>
    public void Also(Action<ReadOnlySequence<byte>>? observer) => _also = observer;

    /// <summary>Creates a hash of <paramref name="algorithm"/> that checks <paramref name="expected"/>, announced in
    /// the field <paramref name="name"/> (tus' <c>Upload-Checksum</c>).</summary>
    public static UploadDigests Checking(HashAlgorithmName algorithm, byte[] expected, string name) => new(null, null, (algorithm, expected, name), DigestAlgorithms.None);

    /// <summary>The sha-256 and sha-512 digests announced in the <c>Repr-Digest</c> field only.</summary>
    public static (byte[]? Sha256, byte[]? Sha512) ReprDigestsOf(IHeaderDictionary headers)
    {
        byte[]? sha256 = null, sha512 = null;
        ReadField(headers, "Repr-Digest", ref sha256, ref sha512);
        return (sha256, sha512);
    }

    // Several lines of one field are one dictionary (RFC 9110 §5.3), whose key given twice keeps its last value; where
    // two fields both name an algorithm, they must agree (Merge).
    private static void ReadField(IHeaderDictionary headers, string field, ref byte[]? sha256, ref byte[]? sha512)
    {
        var value = headers[field];
        if (value.Count == 0)
        {
            return;
        }

        foreach (var (algorithm, digest) in ParseDictionary(value, field))
        {
            if (algorithm == "sha-256")
            {
                sha256 = Merge(sha256, digest, 32, field);
            }
            else
            {
                sha512 = Merge(sha512, digest, 64, field);
            }
        }
    }

    /// <summary>The <c>Repr-Digest</c> field value for a SHA-256 digest.</summary>
    public static string ReprDigest(byte[] sha256) => $"sha-256=:{Convert.ToBase64String(sha256)}:";

    /// <summary>The <c>Repr-Digest</c> field value listing the digests given; <see langword="null"/> when none is.</summary>
    public static string? ReprDigest(byte[]? sha256, byte[]? sha512) => (sha256, sha512) switch
    {
        (null, null) => null,
        ({ } only, null) => ReprDigest(only),
        (null, { } only) => $"sha-512=:{Convert.ToBase64String(only)}:",
        ({ } both256, { } both512) => $"{ReprDigest(both256)}, sha-512=:{Convert.ToBase64String(both512)}:",
    };

    public void Dispose()
    {
        _sha256?.Dispose();
        _sha512?.Dispose();
        _other?.Dispose();
    }

    // What the answer reports: what was asked for or configured, and every digest verified (computed already).
    private static DigestAlgorithms Reported(DigestAlgorithms compute, byte[]? expectedSha256, byte[]? expectedSha512)
        => compute | (expectedSha256 is null ? 0 : DigestAlgorithms.Sha256) | (expectedSha512 is null ? 0 : DigestAlgorithms.Sha512);

    private void Observe(ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
        {
            _sha256?.AppendData(segment.Span);
            _sha512?.AppendData(segment.Span);
            _other?.AppendData(segment.Span);
        }

        _also?.Invoke(buffer);
    }

    private static void Check(byte[]? expected, byte[]? actual, string name)
    {
        if (expected is not null && (actual is null || !CryptographicOperations.FixedTimeEquals(expected, actual)))
        {
            throw new UploadException(UploadErrorKind.DigestMismatch,
                $"The {name} digest of the received content does not match the one the request announced; nothing was stored.");
        }
    }

    private static byte[] Merge(byte[]? existing, byte[] digest, int length, string field)
    {
        if (digest.Length != length)
        {
            throw UploadException.BadRequest($"The {field} field has a digest of the wrong length.");
        }

        if (existing is not null && !existing.AsSpan().SequenceEqual(digest))
        {
            throw new UploadException(UploadErrorKind.DigestMismatch, "The request announces two different digests for one algorithm.");
        }

        return digest;
    }

    private static readonly string[] SupportedKeys = ["sha-256", "sha-512"];

    // An RFC 8941 dictionary (StructuredDictionary); of its members only sha-256 and sha-512 are read, each a byte sequence.
    private static IEnumerable<(string Algorithm, byte[] Digest)> ParseDictionary(Microsoft.Extensions.Primitives.StringValues value, string field)
    {
        if (!StructuredDictionary.TryParse(value, out var members))
        {
            throw UploadException.BadRequest($"The {field} field is not a structured dictionary (RFC 8941).");
        }

        foreach (var key in SupportedKeys)
        {
            if (!members.TryGetValue(key, out var member))
            {
                continue;
            }

            if (member.Kind != StructuredDictionary.ValueKind.ByteSequence)
            {
                throw UploadException.BadRequest($"The {field} {key} value must be a byte sequence (:base64:).");
            }

            yield return (key, member.Bytes!);
        }
    }

    private static byte[] Decode(string base64, int length, string field)
    {
        var bytes = new byte[length];
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != length)
        {
            throw UploadException.BadRequest($"The {field} field does not hold a valid base64 digest of {length} bytes.");
        }

        return bytes;
    }
}
