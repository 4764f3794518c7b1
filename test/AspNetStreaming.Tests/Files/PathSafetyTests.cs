namespace AspNetStreaming.Tests.Files;

/// <summary>The traversal corpus, sent byte for byte over a raw socket: nothing outside the root is ever served.</summary>
[Collection(FileServerGroup.Name)]
public sealed class PathSafetyTests(FileServerFixture server)
{
    public static TheoryData<string> Escapes => new()
    {
        "/files/../secret.txt",
        "/files/../../etc/passwd",
        "/files/sub/../../secret.txt",
        "/files/..%2fsecret.txt",
        "/files/..%2Fsecret.txt",
        "/files/%2e%2e/secret.txt",
        "/files/%2E%2E/secret.txt",
        "/files/%2e%2e%2fsecret.txt",
        "/files/.%2e/secret.txt",
        "/files/%252e%252e/secret.txt",
        "/files/%252e%252e%252fsecret.txt",
        "/files/..%252fsecret.txt",
        "/files/..%5csecret.txt",
        "/files/..%5Csecret.txt",
        "/files/..\\secret.txt",
        "/files/sub\\..\\..\\secret.txt",
        "/files/%00",
        "/files/data.bin%00",
        "/files/data.bin%00.txt",
        "/files/%2fetc%2fpasswd",
        "/files//etc/passwd",
        "/files/link-out",
        "/files/dir-out/secret.txt",
        "/files/.hidden",
        "/files/%2ehidden",
        "/files/sub/../.hidden",
        "/files/",
        "/files/sub",
        "/files/sub/",
        "/files/nope.bin",
        "/files/%c0%ae%c0%ae/secret.txt",
        "/files/..%c0%afsecret.txt",
    };

    /// <summary>The same corpus under <c>UseStreamingStaticFiles</c>, which passes a refused path on (here to the end of
    /// the pipeline: 404).</summary>
    public static TheoryData<string> StaticEscapes()
    {
        var data = new TheoryData<string>();
        foreach (var row in Escapes)
        {
            data.Add("/static/" + row["/files/".Length..]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Escapes))]
    [MemberData(nameof(StaticEscapes))]
    public async Task RefusesWithNotFound(string target)
    {
        var response = await RawHttp.SendAsync(server.Host.BaseAddress, "GET", target);

        // Kestrel itself answers a percent-encoded NUL with 400 before any endpoint runs (the resolver refuses
        // NUL too: see RootedPathResolverTests); everything else must be a 404. Nothing from outside the root
        // or hidden may ever come back.
        var expected = target.Contains("%00", StringComparison.Ordinal) ? 400 : 404;
        Assert.True(response.Status == expected, $"{target}: {response.Status}\n{response.Head}");
        Assert.DoesNotContain(FileServerFixture.Secret, response.BodyText, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", response.BodyText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/files/data.bin")]
    [InlineData("/files/link-in")]
    [InlineData("/files/sub/nested.txt")]
    [InlineData("/files/sub/./nested.txt")]
    [InlineData("/files/sub/../hello.txt")]
    [InlineData("/files/%68ello.txt")]
    [InlineData("/static/data.bin")]
    [InlineData("/static/sub/nested.txt")]
    [InlineData("/static/sub/../hello.txt")]
    public async Task ServesPathsThatStayInside(string target)
    {
        var response = await RawHttp.SendAsync(server.Host.BaseAddress, "GET", target);
        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task RejectedPathsAreLogged()
    {
        await RawHttp.SendAsync(server.Host.BaseAddress, "GET", "/files/link-out");
        Assert.True(server.Host.Logs.Contains(2002));
    }
}
