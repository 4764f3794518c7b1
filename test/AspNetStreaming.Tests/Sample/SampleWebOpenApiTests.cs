using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AspNetStreaming.Tests.Sample;

/// <summary>sample-web's <c>/openapi/v1.json</c> (Microsoft.AspNetCore.OpenApi): the library's <c>Map*</c> methods
/// describe their endpoints themselves: range support, upload bodies and their errors, streamed process output.</summary>
public sealed class SampleWebOpenApiTests
{
    [Fact]
    public async Task TheDocument_DescribesRangesUploadsAndProcesses()
    {
        await using var factory = new WebApplicationFactory<Program>();
        using var client = factory.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");

        var files = paths.GetProperty("/files/{path}").GetProperty("get");
        Assert.Superset(new HashSet<string> { "200", "206", "304", "404", "412", "416" }, Statuses(files));
        Assert.Superset(new HashSet<string> { "Range", "If-Range", "If-None-Match", "If-Modified-Since" },
            files.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "header").Select(p => p.GetProperty("name").GetString()!).ToHashSet());
        Assert.True(files.GetProperty("responses").GetProperty("206").GetProperty("content").TryGetProperty("multipart/byteranges", out _));

        var put = paths.GetProperty("/uploads/{name}").GetProperty("put");
        Assert.True(put.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/octet-stream", out _));
        Assert.Superset(new HashSet<string> { "201", "204", "408", "409", "412", "413", "507" }, Statuses(put));
        Assert.DoesNotContain("415", Statuses(put)); // a raw upload takes any type
        var form = paths.GetProperty("/uploads").GetProperty("post");
        Assert.True(form.GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));
        Assert.DoesNotContain("204", Statuses(form)); // a form's answer is 201 whatever it replaced
        Assert.False(files.GetProperty("responses").GetProperty("416").TryGetProperty("content", out _), "a 416 has no body");

        Assert.Superset(new HashSet<string> { "201", "204", "409" }, Statuses(paths.GetProperty("/uploads/resumable/{id}").GetProperty("patch")));

        var tus = paths.GetProperty("/uploads/tus/{id}").GetProperty("patch");
        Assert.Superset(new HashSet<string> { "204", "409", "415", "460" }, Statuses(tus));

        var sha = paths.GetProperty("/run/sha256").GetProperty("post");
        Assert.True(sha.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/plain; charset=utf-8", out _));
        Assert.Equal("Processes", sha.GetProperty("tags")[0].GetString());
        Assert.Superset(new HashSet<string> { "200", "413", "502", "503", "504" }, Statuses(sha));
        Assert.True(sha.TryGetProperty("requestBody", out _));
        Assert.False(paths.GetProperty("/run/ticker").GetProperty("get").TryGetProperty("requestBody", out _), "a GET-only program takes no body");

        var grep = paths.GetProperty("/run/grep-count").GetProperty("post");
        Assert.Contains(grep.GetProperty("parameters").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "pattern" && p.GetProperty("in").GetString() == "query" && p.GetProperty("required").GetBoolean());
        Assert.Contains(paths.GetProperty("/uploads/tus/{id}").GetProperty("patch").GetProperty("parameters").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "Tus-Resumable" && p.GetProperty("in").GetString() == "header" && p.GetProperty("required").GetBoolean());
        Assert.Contains(put.GetProperty("parameters").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "If-Match" && p.GetProperty("in").GetString() == "header");

        var cgi = paths.GetProperty("/cgi-bin/{path}").GetProperty("post");
        Assert.Superset(new HashSet<string> { "404", "413", "502", "503", "504" }, Statuses(cgi));
        Assert.True(cgi.TryGetProperty("requestBody", out _));
    }

    // What a validator checks first: a path's {parameters} are declared by every operation on it.
    [Fact]
    public async Task EveryOperationDeclaresThePathParametersOfItsPath()
    {
        await using var factory = new WebApplicationFactory<Program>();
        using var client = factory.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var missing = new List<string>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            var names = System.Text.RegularExpressions.Regex.Matches(path.Name, @"\{([^}]+)\}").Select(match => match.Groups[1].Value).ToList();
            foreach (var operation in path.Value.EnumerateObject())
            {
                var declared = operation.Value.TryGetProperty("parameters", out var parameters)
                    ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "path").Select(p => p.GetProperty("name").GetString()).ToHashSet()
                    : [];
                missing.AddRange(names.Where(name => !declared.Contains(name)).Select(name => $"{operation.Name.ToUpperInvariant()} {path.Name}: {name}"));
            }
        }

        Assert.Empty(missing);
    }

    private static HashSet<string> Statuses(JsonElement operation) => [.. operation.GetProperty("responses").EnumerateObject().Select(p => p.Name)];
}
