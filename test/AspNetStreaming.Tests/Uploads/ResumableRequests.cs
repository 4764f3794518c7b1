using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>Requests of the resumable upload protocol, as the tests send them to an <see cref="UploadServer"/>.</summary>
internal static class ResumableRequests
{
    public static async Task<string> CreateAsync(UploadServer server, string name, byte[] first)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "r/" + name) { Content = new ByteArrayContent(first) };
        create.Headers.Add("Upload-Complete", "?0");
        using var created = await server.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return created.Headers.Location!.OriginalString;
    }

    /// <summary>A creation of <paramref name="name"/> carrying <paramref name="first"/>, not complete, announcing
    /// <paramref name="length"/>.</summary>
    public static HttpRequestMessage CreateWithLength(string name, byte[] first, long length)
    {
        var create = new HttpRequestMessage(HttpMethod.Post, "r/" + name) { Content = new ByteArrayContent(first) };
        create.Headers.Add("Upload-Complete", "?0");
        create.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        return create;
    }

    public static HttpRequestMessage Patch(string location, long offset, bool complete, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/partial-upload");
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Upload-Complete", complete ? "?1" : "?0");
        return request;
    }

    /// <summary>A tus 1.0 request: <paramref name="method"/> on <paramref name="path"/>, speaking the version.</summary>
    public static HttpRequestMessage Tus(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return request;
    }

    /// <summary>A tus 1.0 PATCH of <paramref name="body"/> at <paramref name="offset"/>.</summary>
    public static HttpRequestMessage TusPatch(string location, long offset, byte[] body)
    {
        var patch = Tus(HttpMethod.Patch, location);
        patch.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        patch.Content = new ByteArrayContent(body);
        patch.Content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        return patch;
    }

    /// <summary>The request with <c>Upload-Length</c> set (a tus creation).</summary>
    public static HttpRequestMessage WithLength(this HttpRequestMessage request, long length)
    {
        request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        return request;
    }

    public static string Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? values.Single() : throw new Xunit.Sdk.XunitException($"no {name} header");
}
