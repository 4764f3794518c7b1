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
            foreach (var value in headers[field])
            {
                foreach (var member in (value ?? "").Split(','))
                {
                    var (algorithm, weight) = ParseMember(member);
                    if (algorithm != DigestAlgorithms.None && weight > bestWeight)
                    {
                        (best, bestWeight) = (algorithm, weight);
                    }
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

    // "sha-256=10" (parameters after ';' ignored); a bare key is the boolean true, which no weight grammar allows.
    private static (DigestAlgorithms Algorithm, int Weight) ParseMember(string member)
    {
        var text = member.AsSpan();
        var parameters = text.IndexOf(';');
        if (parameters >= 0)
        {
            text = text[..parameters];
        }

        var equals = text.IndexOf('=');
        if (equals < 0 || !int.TryParse(text[(equals + 1)..].Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var weight)
            || weight > 10)
        {
            return (DigestAlgorithms.None, 0);
        }

        var key = text[..equals].Trim();
        return (key.SequenceEqual("sha-256") ? DigestAlgorithms.Sha256 : key.SequenceEqual("sha-512") ? DigestAlgorithms.Sha512 : DigestAlgorithms.None, weight);
    }
}
