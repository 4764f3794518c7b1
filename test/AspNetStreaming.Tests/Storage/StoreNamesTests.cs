using AspNetStreaming.Storage;

namespace AspNetStreaming.Tests.Storage;

/// <summary>The names an object store serves: relative, no dot segments, no backslash or control character.</summary>
public sealed class StoreNamesTests
{
    [Theory]
    [InlineData("a.bin")]
    [InlineData("docs/readme.txt")]
    [InlineData("deep/er/name with spaces.txt")]
    [InlineData(".well-known/security.txt")] // RFC 8615: public by design
    public void OrdinaryNamesAreServed(string name) => Assert.True(StoreNames.IsAllowed(name, allowDotFiles: false, out _));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/a.bin")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("../a.bin")]
    [InlineData("a/../../b")]
    [InlineData("a/./b")]
    [InlineData("a\\..\\b")]
    [InlineData("a\u0000b")]
    [InlineData("line\nbreak")]
    [InlineData(".env")]
    [InlineData("a/.git/config")]
    [InlineData(".well-known")]
    [InlineData(".well-known/.secret")]
    public void NamesThatCouldEscapeOrHideAreRefused(string? name)
    {
        Assert.False(StoreNames.IsAllowed(name, allowDotFiles: false, out var reason));
        Assert.False(string.IsNullOrEmpty(reason));
    }

    [Fact]
    public void DotFilesOnlyWhenAllowed_AndNeverDotSegments()
    {
        Assert.True(StoreNames.IsAllowed(".env", allowDotFiles: true, out _));
        Assert.False(StoreNames.IsAllowed("a/../b", allowDotFiles: true, out _));
        Assert.False(StoreNames.IsAllowed(new string('a', StoreNames.MaxLength + 1), allowDotFiles: true, out _));
    }
}
