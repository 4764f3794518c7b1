using System.Net;
using System.Net.Sockets;

namespace AspNetStreaming.Tests.Infrastructure;

/// <summary>Loopback ports for servers that cannot be told to pick their own (nginx), or for an address nothing
/// listens on.</summary>
internal static class LoopbackPorts
{
    /// <summary>A port the system had free just now (taken, then let go).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
