using AspNetStreaming.IO;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.IO;

/// <summary>The kernel's word on where an open file is: what stops a link swapped in between the confinement walk and
/// the open (the race a walk alone cannot close) from serving a file outside the root.</summary>
public sealed class OpenedFileLocationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void AFileOpenedThroughALinkOutOfTheRoot_IsNotUnderIt_OneInsideIs()
    {
        Directory.CreateDirectory(_temp["root/sub"]);
        Directory.CreateDirectory(_temp["outside"]);
        _temp.CreateFile("root/sub/in.txt", 10);
        _temp.CreateFile("outside/secret.txt", 10);
        Directory.CreateSymbolicLink(_temp["root/escape"], _temp["outside"]); // what a swap would put in place
        Directory.CreateSymbolicLink(_temp["root/alias"], _temp["root/sub"]);  // a link that stays inside
        var root = new RootedPathResolver(_temp["root"]).Root;

        using var inside = AsyncFile.OpenRead(_temp["root/sub/in.txt"]);
        using var aliased = AsyncFile.OpenRead(_temp["root/alias/in.txt"]);
        using var escaped = AsyncFile.OpenRead(_temp["root/escape/secret.txt"]);

        Assert.True(OpenedFileLocation.IsUnder(inside.Handle, root));
        Assert.True(OpenedFileLocation.IsUnder(aliased.Handle, root));
        Assert.False(OpenedFileLocation.IsUnder(escaped.Handle, root));
    }

    [Fact]
    public void ARootReachedThroughALinkedParent_IsCompared_AsTheKernelNamesIt()
    {
        Directory.CreateDirectory(_temp["real/root"]);
        _temp.CreateFile("real/root/a.txt", 10);
        Directory.CreateSymbolicLink(_temp["via"], _temp["real"]);
        var root = new RootedPathResolver(_temp["via/root"]).Root; // the configured path goes through a link

        using var file = AsyncFile.OpenRead(_temp["via/root/a.txt"]);

        Assert.Equal(_temp["real/root"], root);
        Assert.True(OpenedFileLocation.IsUnder(file.Handle, root));
    }
}
