using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Transport.Informational;

/// <summary>
/// Sends interim (1xx) responses before the final one, such as <c>104 Upload Resumption Supported</c> or
/// <c>103 Early Hints</c>. ASP.NET Core has no API for this (dotnet/aspnetcore#27851); the feature is present
/// on connections set up with <see cref="Microsoft.AspNetCore.Hosting.InformationalResponseListenOptionsExtensions.UseInformationalResponses"/>.
/// </summary>
public interface IHttpInformationalResponseFeature
{
    /// <summary>Writes an interim response on the request's connection, ahead of the final response.</summary>
    /// <param name="context">The request the interim response belongs to.</param>
    /// <param name="statusCode">102 to 199; 100 and 101 belong to the server.</param>
    /// <param name="reasonPhrase">The reason phrase, e.g. <c>Upload Resumption Supported</c>.</param>
    /// <param name="headers">The interim response's header fields.</param>
    /// <param name="cancellationToken">Cancels the wait for the bytes to be flushed.</param>
    /// <returns><see langword="false"/> when it could not be sent and nothing was written: the request is not
    /// HTTP/1.1 (HTTP/1.0 clients do not understand 1xx; HTTP/2 and 3 need framing this feature does not
    /// have), or the final response has already started.</returns>
    ValueTask<bool> TrySendAsync(HttpContext context, int statusCode, string reasonPhrase,
        IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken = default);
}
