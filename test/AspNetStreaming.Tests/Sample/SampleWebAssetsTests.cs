namespace AspNetStreaming.Tests.Sample;

/// <summary>The front-end files sample-web serves are the npm packages pinned by a committed package-lock.json
/// (test/js's, installed by the build), copied as they are: an update of the lock without the copy fails here.</summary>
public sealed class SampleWebAssetsTests
{
    [Fact]
    public void TheVendoredTusJsClient_IsThePinnedPackagesOwnBuild()
    {
        Clients.NodeScript.RequirePackage("tus-js-client");
        var pinned = Path.Join(Clients.NodeScript.Folder, "node_modules", "tus-js-client", "dist", "tus.min.js");
        var served = Path.Join(AppContext.BaseDirectory, "page", "lib", "tus.min.js");

        Assert.True(File.ReadAllBytes(pinned).AsSpan().SequenceEqual(File.ReadAllBytes(served)), "sample-web/page/lib/tus.min.js is not test/js's tus-js-client build");
    }
}
