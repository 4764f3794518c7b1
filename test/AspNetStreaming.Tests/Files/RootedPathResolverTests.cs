using AspNetStreaming.IO;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Files;

/// <summary>The resolver on its own, for inputs a server may pass through but Kestrel never does (NUL, control characters).</summary>
public sealed class RootedPathResolverTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Theory]
    [InlineData("data.bin\0.txt")]
    [InlineData("\0")]
    [InlineData("a\nb")]
    [InlineData("..")]
    [InlineData("sub/../..")]
    [InlineData("./data.bin")]
    [InlineData("..\\secret.txt")]
    [InlineData("..%2fsecret.txt")]
    [InlineData("..%5Csecret.txt")]
    [InlineData(".hidden")]
    [InlineData("sub//data.bin")]
    [InlineData("data.bin/")]
    [InlineData("")]
    [InlineData(null)]
    public void Refuses(string? path)
    {
        Directory.CreateDirectory(_temp["root"]);
        var resolver = new RootedPathResolver(_temp["root"]);
        Assert.False(resolver.TryResolve(path, out _, out var reason));
        Assert.NotNull(reason);
    }

    [Fact]
    public void ResolvesInside()
    {
        _temp.CreateFile("root/sub/data.bin", 1);
        var resolver = new RootedPathResolver(_temp["root"]);
        Assert.True(resolver.TryResolve("sub/data.bin", out var full, out _));
        Assert.Equal(_temp["root/sub/data.bin"], full);
    }

    [Fact]
    public void ServesDotFilesOnlyWhenAllowed_AndTheWellKnownDirectoryAlways()
    {
        _temp.CreateFile("root/.hidden/x.txt", 1);
        _temp.CreateFile("root/.well-known/acme-challenge/token", 1);
        _temp.CreateFile("root/.well-known/.secret", 1);
        var resolver = new RootedPathResolver(_temp["root"]);
        Assert.False(resolver.TryResolve(".hidden/x.txt", out _, out _));
        Assert.True(new RootedPathResolver(_temp["root"], allowDotFiles: true).TryResolve(".hidden/x.txt", out var full, out _));
        Assert.Equal(_temp["root/.hidden/x.txt"], full);
        Assert.False(new RootedPathResolver(_temp["root"], allowDotFiles: true).TryResolve("../root/.hidden/x.txt", out _, out _));

        // RFC 8615: /.well-known/ is public by design; a dot file in it, or the name on its own, is not.
        Assert.True(resolver.TryResolve(".well-known/acme-challenge/token", out full, out _));
        Assert.Equal(_temp["root/.well-known/acme-challenge/token"], full);
        Assert.False(resolver.TryResolve(".well-known/.secret", out _, out _));
        Assert.False(resolver.TryResolve(".well-known", out _, out _));
    }

    public void Dispose() => _temp.Dispose();
}
