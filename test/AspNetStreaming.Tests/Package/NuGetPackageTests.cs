using System.IO.Compression;
using AspNetStreaming.Tests.Infrastructure;

namespace AspNetStreaming.Tests.Package;

/// <summary>The library as a user gets it: <c>dotnet pack</c> makes a package with README, licence, XML docs and
/// symbols, and a tiny app builds against it from a local folder source (no project reference, no other feed; its
/// dependencies from the packages folder the build restored them to).</summary>
public sealed class NuGetPackageTests : IDisposable
{
    private const string TinyApp = """
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddAspNetStreaming(builder.Configuration.GetSection("Streaming"));
        var app = builder.Build();
        app.MapFiles("/files");
        app.MapUpload("/uploads");
        app.MapGet("/report", () => AspNetStreaming.Http.StreamingResults.File("report.pdf"));
        app.Run();
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ThePackage_CarriesItsDocs_AndATinyAppBuildsAgainstIt()
    {
        var repo = RepositoryRoot();
        var feed = _temp["feed"];
        // Release: the test run itself builds Debug, so the two never share an intermediate folder.
        await RunAsync("dotnet", ["pack", Path.Join(repo, "src", "AspNetStreaming"), "-c", "Release", "-o", feed, "-nologo"], repo);

        var package = Directory.GetFiles(feed, "AspNetStreaming.*.nupkg").Single(p => !p.EndsWith(".snupkg", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(feed, "AspNetStreaming.*.snupkg"));
        using (var zip = ZipFile.OpenRead(package))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("README.md", names);
            Assert.Contains("lib/net10.0/AspNetStreaming.dll", names);
            Assert.Contains("lib/net10.0/AspNetStreaming.xml", names);
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var manifest = await nuspec.ReadToEndAsync();
            Assert.Contains("<license type=\"expression\">MIT</license>", manifest, StringComparison.Ordinal);
            Assert.Contains("<readme>README.md</readme>", manifest, StringComparison.Ordinal);
            Assert.Contains("<tags>", manifest, StringComparison.Ordinal);
            Assert.Contains("Microsoft.AspNetCore.App", manifest, StringComparison.Ordinal);
        }

        var version = Path.GetFileNameWithoutExtension(package)["AspNetStreaming.".Length..];
        var app = _temp["app"];
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Join(app, "TinyApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AspNetStreaming" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Join(app, "Program.cs"), TinyApp);
        await File.WriteAllTextAsync(Path.Join(app, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="dependencies" value="{RestoredPackagesFolder()}" />
              </packageSources>
            </configuration>
            """);
        // Directory.Build.props of the temp folder's parents must not leak in; a fresh packages folder keeps an older
        // package of the same version from being used.
        await File.WriteAllTextAsync(Path.Join(app, "Directory.Build.props"), "<Project />");
        await RunAsync("dotnet", ["build", app, "-nologo", "--packages", _temp["packages"]], app);

        Assert.True(File.Exists(Path.Join(app, "bin", "Debug", "net10.0", "AspNetStreaming.dll")));
    }

    // The package's own dependencies (Azure.Storage.Blobs and what it needs) from the machine's packages folder,
    // where the library's build restored them: the app still sees no feed, and no other copy of AspNetStreaming.
    private static string RestoredPackagesFolder()
        => Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Join(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static async Task RunAsync(string program, string[] arguments, string workingDirectory)
    {
        var (exit, stdout, stderr) = await CommandLine.RunAsync(program, arguments, TimeSpan.FromMinutes(4), workingDirectory);
        Assert.True(exit == 0, $"{program} {string.Join(' ', arguments)} exited with {exit}:\n{stdout}\n{stderr}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Join(dir.FullName, "AspNetStreaming.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (AspNetStreaming.sln) was not found above " + AppContext.BaseDirectory);
    }
}
