using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Uploads;

/// <summary>The digest algorithms an upload computes (RFC 9530's <c>sha-256</c> and <c>sha-512</c>).</summary>
[Flags]
internal enum DigestAlgorithms
{
    None = 0,
    Sha256 = 1,
    Sha512 = 2,
}

/// <summary>What an upload request asks to be computed: the algorithm its <c>Want-Repr-Digest</c> or
/// <c>Want-Content-Digest</c> prefers among those supported (RFC 9530 §4: a dictionary of weights 0–10, 0 meaning "not
/// this one"), else what the policy says.</summary>
/// <remarks>Uploads are stored as sent, so the request's content and the stored representation are the same bytes and
/// either field asks for the same digest, which the answer carries as <c>Repr-Digest</c>. A field that cannot be
/// parsed is ignored, as RFC 9530 allows for a preference.</remarks>
internal static class DigestWants
{
    public static DigestAlgorithms Resolve(IHeaderDictionary headers, UploadDigestPolicy policy)
    {
        var best = DigestAlgorithms.None;
        var bestWeight = 0;
        foreach (var field in (ReadOnlySpan<string>)["Want-Repr-Digest", "Want-Content-Digest"])
        {
            var value = headers[field];
            if (value.Count == 0 || !StructuredDictionary.TryParse(value, out var members))
            {
                continue;
            }

            foreach (var (key, algorithm) in (ReadOnlySpan<(string, DigestAlgorithms)>)[("sha-256", DigestAlgorithms.Sha256), ("sha-512", DigestAlgorithms.Sha512)])
            {
                // A weight is an integer 0..10, 0 meaning "not this one"; anything else says nothing.
                if (members.TryGetValue(key, out var member) && member is { Kind: StructuredDictionary.ValueKind.Integer, Number: > 0 and <= 10 }
                    && member.Number > bestWeight)
                {
                    (best, bestWeight) = (algorithm, (int)member.Number);
                }
            }
        }

        return best != DigestAlgorithms.None ? best : policy switch
        {
            UploadDigestPolicy.AlwaysSha256 => DigestAlgorithms.Sha256,
            UploadDigestPolicy.AlwaysSha512 => DigestAlgorithms.Sha512,
            _ => DigestAlgorithms.None,
        };
    }
}
