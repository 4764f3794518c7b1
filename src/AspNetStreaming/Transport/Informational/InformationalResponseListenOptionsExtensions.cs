using AspNetStreaming.Transport.Informational;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Microsoft.AspNetCore.Hosting;

/// <summary>Turns on interim (1xx) responses for a Kestrel endpoint.</summary>
public static class InformationalResponseListenOptionsExtensions
{
    /// <summary>
    /// Gives every HTTP/1.1 request on this endpoint an <see cref="IHttpInformationalResponseFeature"/>
    /// (see <see cref="InformationalResponseHttpContextExtensions.TrySendInformationalResponseAsync"/>). With
    /// TLS, call it after <c>UseHttps</c> so that interim responses are encrypted like the rest.
    /// </summary>
    /// <example><code>
    /// builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.UseInformationalResponses()));
    /// </code></example>
    public static ListenOptions UseInformationalResponses(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        listenOptions.Use(next => connection =>
        {
            connection.Features.Set<IHttpInformationalResponseFeature>(new Http1InformationalResponseFeature(connection));
            return next(connection);
        });
        return listenOptions;
    }
}
