using System.Globalization;
using System.Net.Sockets;

namespace AspNetStreaming.Tests.Infrastructure;

/// <summary>
/// What the kernel may buffer on a test's loopback connection. A bound on the bytes "in flight" between a
/// server and a client includes the sockets' buffers; Linux grows them on its own up to
/// <c>net.ipv4.tcp_rmem</c>/<c>tcp_wmem</c> (32 MiB of receive buffer is common), so a test fixes the sizes on its
/// own client socket and reads the machine's ceilings for the server's.
/// </summary>
public static class SocketBuffers
{
    /// <summary>The size a test sets on its client socket's receive and send buffers (the kernel doubles it).</summary>
    public const int Client = 1 << 20;

    /// <summary>The most an autotuned socket's receive buffer may hold (tcp_rmem's maximum).</summary>
    public static long ReceiveCeiling { get; } = Read("/proc/sys/net/ipv4/tcp_rmem", 6 << 20);

    /// <summary>The most an autotuned socket's send buffer may hold (tcp_wmem's maximum).</summary>
    public static long SendCeiling { get; } = Read("/proc/sys/net/ipv4/tcp_wmem", 4 << 20);

    /// <summary>The most the kernel holds for a client socket made by <see cref="NewClientSocket"/>, both ways.</summary>
    public static long ClientHolds => 2L * 2 * Client;

    /// <summary>A TCP socket whose buffers are fixed at <see cref="Client"/> (set before connecting, which turns
    /// the kernel's autotuning off for it).</summary>
    public static Socket NewClientSocket() => new(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = Client, SendBufferSize = Client, NoDelay = true };

    /// <summary>An HttpClient for <paramref name="baseAddress"/> whose connections use <see cref="NewClientSocket"/>.</summary>
    public static HttpClient NewHttpClient(Uri baseAddress) => new(new SocketsHttpHandler
    {
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = NewClientSocket();
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromMinutes(5),
    };

    private static long Read(string path, long fallback)
    {
        try
        {
            var fields = File.ReadAllText(path).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(fields[^1], CultureInfo.InvariantCulture);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return fallback;
        }
    }
}
