using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AspNetStreaming.Tests.Infrastructure;

/// <summary>HTTP/1.1 by hand over a socket, for the requests no client library would send (or the ones a test must
/// control byte by byte): the response head, read as far as its blank line.</summary>
internal static class RawHttp
{
    /// <summary>Sends <paramref name="request"/> (head and body) on a connection of its own; the response's head.</summary>
    public static async Task<string> SendAsync(int port, string request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(Encoding.UTF8.GetBytes(request));
        return await ReadHeadAsync(socket);
    }

    /// <summary>Reads until the end of a response head (or the connection's end).</summary>
    public static async Task<string> ReadHeadAsync(Socket socket)
    {
        var received = new StringBuilder();
        var buffer = new byte[8192];
        using var deadline = new CancellationTokenSource(Eventually.DefaultTimeout);
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return received.ToString();
    }
}
