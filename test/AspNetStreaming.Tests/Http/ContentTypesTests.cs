using AspNetStreaming.Http;
using Microsoft.AspNetCore.StaticFiles;

namespace AspNetStreaming.Tests.Http;

/// <summary>The span lookup into FileExtensionContentTypeProvider's table answers exactly as the provider does.</summary>
public sealed class ContentTypesTests
{
    [Theory]
    [InlineData("a.txt")]
    [InlineData("A.TXT")]
    [InlineData("movie.Mp4")]
    [InlineData("archive.tar.gz")]
    [InlineData("noextension")]
    [InlineData(".hidden")]
    [InlineData("file.")]
    [InlineData("dir.v2/file")]
    [InlineData("/srv/data/données 2024.csv")]
    [InlineData("x.unknown-extension")]
    [InlineData("")]
    public void AnswersAsTheProviderDoes(string name)
    {
        var expected = new FileExtensionContentTypeProvider().TryGetContentType(name, out var type) ? type : "application/octet-stream";

        Assert.Equal(expected, ContentTypes.FromFileName(name));
    }
}
