using System.Net;
using System.Security.Cryptography;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Uploads;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>The digest fields are RFC 8941 dictionaries: what the RFC calls valid is read as it says (a string with a
/// comma, a bare key, parameters, an inner list, a key given twice keeping its last value, base64 without its padding),
/// and what it calls invalid is refused, whatever key it is under.</summary>
public sealed class StructuredDictionaryTests
{
    [Theory]
    [InlineData("sha-256=:AQID:", "sha-256", "ByteSequence")]
    [InlineData("a=1, b=2;x=?0, c", "c", "Boolean")]
    [InlineData("unixsum=\"a,b\", sha-256=?1", "sha-256", "Boolean")]
    [InlineData("x=(1 2 \"three\");p=:AA==:, y=4.5", "x", "InnerList")]
    [InlineData("x=4.5", "x", "Decimal")]
    [InlineData("t=foo/bar:baz", "t", "Token")]
    [InlineData("", null, null)]
    public void ValidDictionariesParse(string field, string? key, string? kind)
    {
        Assert.True(StructuredDictionary.TryParse(field, out var members));
        if (key is not null)
        {
            Assert.Equal(kind, members[key].Kind.ToString());
        }
    }

    [Theory]
    [InlineData("a=1,")]           // a trailing comma
    [InlineData("a=\"open")]       // an unterminated string
    [InlineData("a=\"\\x\"")]      // an escape of something but " or \
    [InlineData("1a=1")]           // a key starting with a digit
    [InlineData("a=:not base64!:")]
    [InlineData("a=1 b=2")]        // members without a comma
    [InlineData("a=(1 2")]         // an open inner list
    [InlineData("a=1234567890123456")] // an integer of 16 digits
    [InlineData("a=?2")]
    public void InvalidDictionariesDoNot(string field) => Assert.False(StructuredDictionary.TryParse(field, out _));

    [Fact]
    public void AKeyGivenTwiceKeepsItsLastValue_AndPaddingMayBeLeftOut()
    {
        Assert.True(StructuredDictionary.TryParse("a=1, b=:AQI:, a=2", out var members));
        Assert.Equal(2, members["a"].Number);
        Assert.Equal([1, 2], members["b"].Bytes);
    }

    [Theory]
    [InlineData("GOOD, foo")]                 // a bare key (the boolean true) of an unknown algorithm
    [InlineData("GOOD, unixsum=\"a,b\"")]     // a string value holding a comma
    [InlineData("sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:, GOOD")] // the key twice: the last counts
    [InlineData("UNPADDED")]
    public async Task AnUploadWithAValidDigestDictionary_IsStored(string field)
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        byte[] data = [1, 2, 3];
        var good = UploadServer.Sha256Field(data);
        using var request = new HttpRequestMessage(HttpMethod.Put, "u/d.bin") { Content = new ByteArrayContent(data) };
        request.Headers.TryAddWithoutValidation("Content-Digest",
            field.Replace("UNPADDED", good.TrimEnd(':').TrimEnd('=') + ":", StringComparison.Ordinal).Replace("GOOD", good, StringComparison.Ordinal));

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(await File.ReadAllBytesAsync(temp["d.bin"])));
    }

    // Lines of one field are one dictionary wherever it is read: raw uploads and forms, and a resumable creation's Repr-Digest.
    [Fact]
    public void TwoLinesNamingOneAlgorithm_KeepTheLastValue_ForEveryReader()
    {
        var first = Convert.ToBase64String(new byte[32]);
        var last = Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray());
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary
        {
            ["Repr-Digest"] = new Microsoft.Extensions.Primitives.StringValues([$"sha-256=:{first}:", $"sha-256=:{last}:"]),
        };

        using var digests = UploadDigests.FromHeaders(headers, DigestAlgorithms.None);
        Assert.Equal(Convert.FromBase64String(last), UploadDigests.ReprDigestsOf(headers).Sha256);
    }

    [Fact]
    public async Task AnInvalidDictionary_Is400_AndStoresNothing()
    {
        using var temp = new TempDirectory();
        await using var server = await UploadServer.StartAsync(temp.Path);
        using var request = new HttpRequestMessage(HttpMethod.Put, "u/d.bin") { Content = new ByteArrayContent([1]) };
        request.Headers.TryAddWithoutValidation("Content-Digest", UploadServer.Sha256Field([1]) + ", x=\"unterminated");

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(server.Files());
    }
}
