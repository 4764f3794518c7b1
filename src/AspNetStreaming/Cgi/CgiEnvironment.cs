using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AspNetStreaming.Cgi;

/// <summary>Builds a script's RFC 3875 meta-variables from a request.</summary>
internal static class CgiEnvironment
{
    public static Dictionary<string, string> Build(HttpContext context, CgiOptions options, string scriptName, string pathInfo, string scriptFileName, long? contentLength)
    {
        var request = context.Request;
        var connection = context.Connection;
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GATEWAY_INTERFACE"] = "CGI/1.1",
            ["SERVER_SOFTWARE"] = options.ServerSoftware,
            ["SERVER_NAME"] = request.Host.HasValue ? request.Host.Host : connection.LocalIpAddress?.ToString() ?? "localhost",
            ["SERVER_PORT"] = (request.Host.Port ?? connection.LocalPort).ToString(CultureInfo.InvariantCulture),
            ["SERVER_PROTOCOL"] = request.Protocol,
            ["REQUEST_METHOD"] = request.Method,
            ["QUERY_STRING"] = request.QueryString.HasValue ? request.QueryString.Value![1..] : string.Empty,
            ["SCRIPT_NAME"] = scriptName,
            ["SCRIPT_FILENAME"] = scriptFileName,
            ["REQUEST_URI"] = RequestUri(request, context.Features.Get<IHttpRequestFeature>()?.RawTarget),
            ["REMOTE_ADDR"] = connection.RemoteIpAddress?.ToString() ?? string.Empty,
            ["REMOTE_PORT"] = connection.RemotePort.ToString(CultureInfo.InvariantCulture),
        };

        // RFC 3875 4.1.9: the address stands in for a host name not looked up (no reverse DNS per request).
        env["REMOTE_HOST"] = env["REMOTE_ADDR"];

        // 4.1.1 and 4.1.11: the user the app's authentication established (a script like git http-backend lets only
        // a REMOTE_USER push). The Authorization header itself never reaches the script.
        if (context.User.Identity is { IsAuthenticated: true } identity)
        {
            env["AUTH_TYPE"] = identity.AuthenticationType ?? string.Empty;
            if (identity.Name is { Length: > 0 } user)
            {
                env["REMOTE_USER"] = user;
            }
        }

        if (pathInfo.Length > 0)
        {
            env["PATH_INFO"] = pathInfo;
        }

        if (request.IsHttps)
        {
            env["HTTPS"] = "on";
        }

        if (contentLength is { } length)
        {
            env["CONTENT_LENGTH"] = length.ToString(CultureInfo.InvariantCulture);
            if (request.ContentType is { } contentType)
            {
                env["CONTENT_TYPE"] = contentType;
            }
        }

        foreach (var (name, values) in request.Headers)
        {
            if (!IsPassed(name))
            {
                continue;
            }

            var separator = name.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ? "; " : ", ";
            env["HTTP_" + ToVariableName(name)] = string.Join(separator, values.Where(v => v is not null));
        }

        return env;
    }

    // The target as the client sent it (its own escaping kept), under the app's path base: a base set by a proxy
    // that stripped it (X-Forwarded-Prefix, through the forwarded-headers middleware) is not in the raw target, and
    // without it REQUEST_URI would disagree with SCRIPT_NAME, which has it.
    private static string RequestUri(HttpRequest request, string? rawTarget)
    {
        if (rawTarget is not { Length: > 0 } raw || raw[0] != '/')
        {
            return request.PathBase + request.Path + request.QueryString;
        }

        var pathBase = request.PathBase.ToUriComponent();
        var underBase = pathBase.Length == 0 || (raw.StartsWith(pathBase, StringComparison.OrdinalIgnoreCase)
            && (raw.Length == pathBase.Length || raw[pathBase.Length] is '/' or '?'));
        return underBase ? raw : pathBase + raw;
    }

    /// <summary>Request headers that never reach a script: credentials (Authorization), httpoxy (Proxy, which
    /// would become HTTP_PROXY), the body's framing (given as CONTENT_*), and names a script could confuse with
    /// another (underscores, non-alphanumeric).</summary>
    private static bool IsPassed(string name)
    {
        if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Proxy", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
    }

    private static string ToVariableName(string header)
    {
        var builder = new StringBuilder(header.Length);
        foreach (var c in header)
        {
            builder.Append(c == '-' ? '_' : char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }
}
