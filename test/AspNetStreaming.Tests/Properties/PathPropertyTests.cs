using System.Text;
using AspNetStreaming.IO;
using AspNetStreaming.Storage;
using AspNetStreaming.Tests.Infrastructure;
using CsCheck;
using Xunit.Abstractions;

namespace AspNetStreaming.Tests.Properties;

/// <summary>Random request paths (segments, percent-encodings, <c>..</c>, backslashes, control characters, dot files)
/// against a real temp tree with symbolic links into and out of the root: a path is either refused (404) or resolves
/// under the root, and no byte from outside the root is ever read, with or without the open-file cache.</summary>
public sealed class PathPropertyTests : IDisposable
{
    private const string Secret = "OUTSIDE-THE-ROOT";
    private readonly TempDirectory _temp = new();
    private readonly ITestOutputHelper _output;

    public PathPropertyTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_temp["root/a/b"]);
        Directory.CreateDirectory(_temp["outside"]);
        File.WriteAllText(_temp["outside/secret.txt"], Secret);
        File.WriteAllText(_temp["root/file.txt"], "inside");
        File.WriteAllText(_temp["root/a/b/deep.txt"], "inside");
        File.WriteAllText(_temp["root/.hidden"], "hidden");
        File.CreateSymbolicLink(_temp["root/link-out"], _temp["outside/secret.txt"]);
        File.CreateSymbolicLink(_temp["root/a/link-in"], _temp["root/file.txt"]);
        Directory.CreateSymbolicLink(_temp["root/dir-out"], _temp["outside"]);
        Directory.CreateSymbolicLink(_temp["root/a/dir-up"], _temp.Path);
        Directory.CreateSymbolicLink(_temp["root/dir-in"], _temp["root/a"]);
    }

    private static readonly Gen<string> Segment = Gen.OneOf(
        Gen.OneOf("file.txt", "a", "b", "deep.txt", "link-out", "link-in", "dir-out", "dir-up", "dir-in", "secret.txt", "outside",
            "root", ".hidden", ".", "..", "%2e%2e", "%2E.", ".%2e", "..%2f", "%2f", "%5c", "..\\", "a\\..", "%00", "\0", "\u0001", "\u007f",
            "%252e%252e", "…", "ﬁle.txt", "file.txt ", " file.txt", "FILE.TXT", ""),
        Gen.String[Gen.Char["ab.%/\\-_ "], 0, 6]);

    private static readonly Gen<string> RequestPath = Gen.Select(Segment.Array[0, 6], Gen.Bool, (segments, leading) => (leading ? "/" : "") + string.Join('/', segments));

    [Fact]
    public async Task APathResolvesUnderTheRootOrIsRefused()
    {
        var resolver = new RootedPathResolver(_temp["root"]);
        var rootWithSeparator = resolver.Root + Path.DirectorySeparatorChar;
        using var cache = new OpenFileCache(64, TimeSpan.FromMinutes(1));
        var stores = new FileStore[] { new LocalFileStore(resolver), new LocalFileStore(resolver, cache) };
        await PropertyRun.CheckAsync(_output, "Path resolution (temp tree with links)", RequestPath, async path =>
        {
            if (resolver.TryResolve(path, out var full, out _))
            {
                Assert.StartsWith(rootWithSeparator, full, StringComparison.Ordinal);
            }

            foreach (var store in stores)
            {
                for (var twice = 0; twice < 2; twice++) // the second time from the cache, if it cached it
                {
                    var opening = await store.OpenReadAsync(path, null, default);
                    if (opening.Source is { } source)
                    {
                        using (source)
                        {
                            var bytes = new byte[64];
                            var read = await source.ReadAtAsync(0, bytes, default);
                            Assert.DoesNotContain(Secret, Encoding.UTF8.GetString(bytes, 0, read), StringComparison.Ordinal);
                        }
                    }
                }
            }
        }, cases: 3_000, stream: 4);
    }

    public void Dispose() => _temp.Dispose();
}
