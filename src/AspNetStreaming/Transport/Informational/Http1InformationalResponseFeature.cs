using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Transport.Informational;

/// <summary>
/// Writes interim responses straight into the connection's transport. This is safe only where nothing else is
/// writing: HTTP/1.1 answers one request at a time, and before the final response starts Kestrel has nothing
/// of this request in flight (its previous response was flushed before this request was dispatched, and a
/// <c>100 Continue</c> is written only when the body is first read, on the same request thread).
/// </summary>
internal sealed class Http1InformationalResponseFeature(ConnectionContext connection) : IHttpInformationalResponseFeature
{
    public async ValueTask<bool> TrySendAsync(HttpContext context, int statusCode, string reasonPhrase,
        IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(reasonPhrase);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 102);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 199);
        if (!HttpProtocol.IsHttp11(context.Request.Protocol) || context.Response.HasStarted)
        {
            return false;
        }

        var head = new StringBuilder(128).Append("HTTP/1.1 ").Append(statusCode).Append(' ');
        AppendChecked(head, reasonPhrase, nameof(reasonPhrase));
        head.Append("\r\n");
        foreach (var (name, value) in headers)
        {
            if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127 || c == ':'))
            {
                throw new ArgumentException($"'{name}' is not a header field name.", nameof(headers));
            }

            head.Append(name).Append(": ");
            AppendChecked(head, value, nameof(headers));
            head.Append("\r\n");
        }

        head.Append("\r\n");

        // Read the transport now, not when the connection started: connection middleware added after this one
        // (TLS) replaces it, and the innermost is the one Kestrel writes to.
        var output = connection.Transport.Output;
        output.Write(Encoding.ASCII.GetBytes(head.ToString()));
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    // A CR or LF would let a value end the interim response early and forge what follows.
    private static void AppendChecked(StringBuilder head, string text, string parameter)
    {
        if (text.Any(c => c is '\r' or '\n' or '\0' || c >= 127))
        {
            throw new ArgumentException("Interim response text must be visible ASCII without line breaks.", parameter);
        }

        head.Append(text);
    }
}
