using AspNetStreaming.Transport.Informational;
using Microsoft.AspNetCore.Http;

namespace Microsoft.AspNetCore.Http;

/// <summary>Interim (1xx) responses from request handlers.</summary>
public static class InformationalResponseHttpContextExtensions
{
    /// <summary>Sends an interim response before the final one, when the connection supports it (see
    /// <see cref="IHttpInformationalResponseFeature.TrySendAsync"/>); otherwise does nothing.</summary>
    /// <returns>Whether the interim response was written.</returns>
    public static ValueTask<bool> TrySendInformationalResponseAsync(this HttpContext context, int statusCode, string reasonPhrase,
        IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IHttpInformationalResponseFeature>() is { } feature
            ? feature.TrySendAsync(context, statusCode, reasonPhrase, headers, cancellationToken)
            : ValueTask.FromResult(false);
    }
}
