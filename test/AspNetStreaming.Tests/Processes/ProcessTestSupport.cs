using Microsoft.Extensions.DependencyInjection;
using System.Text;
using AspNetStreaming.Processes;
using AspNetStreaming.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace AspNetStreaming.Tests.Processes;

/// <summary>Helpers shared by the process and CGI tests: hosts with process services, and /proc checks.</summary>
internal static class ProcessTestSupport
{
    public static Task<KestrelHost> StartAsync(Action<WebApplication> map, IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
        => KestrelHost.StartAsync(map, builder =>
        {
            var section = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
            builder.Services.AddStreamingProcesses(section);
            configure?.Invoke(builder);
        });

    /// <summary>A command run by bash with a FIXED script (never request data), for test programs.</summary>
    public static ProcessCommand Bash(string script, params string[] args) => new("bash", ["-c", script, "test", .. args]);

    /// <summary>Whether a process is gone (no /proc entry, or a zombie waiting for its reaper).</summary>
    public static bool IsDead(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is 'Z' or 'X';
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Whether every process in <paramref name="pids"/> is gone within <paramref name="within"/>
    /// (default <see cref="Eventually.DefaultTimeout"/>).</summary>
    public static Task<bool> WaitDeadAsync(IEnumerable<int> pids, TimeSpan? within = null) => Eventually.TrueAsync(() => pids.All(IsDead), within);

    /// <summary>The first <paramref name="count"/> pids a test program wrote into <paramref name="file"/>, once it has.</summary>
    public static Task<int[]> ReadPidsAsync(string file, int count, TimeSpan? within = null) => Eventually.ValueAsync<int[]>(() =>
    {
        try
        {
            // Whole lines only: the program may be halfway through writing one.
            var text = File.ReadAllText(file);
            var parts = text[..(text.LastIndexOf('\n') + 1)].Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return parts.Length >= count ? [.. parts.Take(count).Select(int.Parse)] : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }, $"{file} gets {count} pids", within);

    /// <summary>Whether <paramref name="host"/> logged a kill of a tree for <paramref name="reason"/> (the first
    /// reason wins, so this says what triggered the kill).</summary>
    public static bool KilledFor(KestrelHost host, ProcessKillReason reason) => KilledFor(host.Logs, reason);

    /// <summary>Whether <paramref name="logs"/> have a kill of a tree for <paramref name="reason"/>.</summary>
    public static bool KilledFor(CapturedLogs logs, ProcessKillReason reason)
        => logs.Entries.Any(e => e.EventId.Id == 3005 && e.Message.EndsWith($": {reason}.", StringComparison.Ordinal));

    /// <summary>Whether the tree was killed because the client left: <see cref="ProcessKillReason.Cancelled"/>,
    /// whichever of the RequestAborted registration and the response's failed flush reaches the run first. (Not a
    /// timeout, which would also end it.)</summary>
    public static bool KilledForTheDisconnect(KestrelHost host) => KilledFor(host, ProcessKillReason.Cancelled);

    /// <summary>The kill log lines, for failure messages.</summary>
    public static string Kills(KestrelHost host) => Kills(host.Logs);

    /// <summary>The kill log lines in <paramref name="logs"/>, for failure messages.</summary>
    public static string Kills(CapturedLogs logs)
        => string.Join(" | ", logs.Entries.Where(e => e.EventId.Id is 3005 or 3010).Select(e => e.Message));

    public static StringContent Text(string text) => new(text, Encoding.UTF8, "text/plain");
}

/// <summary>A raw HTTP/1.1 client, to control exactly when the connection closes.</summary>
internal sealed class RawConnection : IDisposable
{
    private readonly System.Net.Sockets.Socket _socket;

    private RawConnection(System.Net.Sockets.Socket socket) => _socket = socket;

    public static async Task<RawConnection> OpenAsync(Uri baseAddress, string requestHead)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(baseAddress.Host, baseAddress.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(requestHead.Replace("\n", "\r\n", StringComparison.Ordinal)));
        return new RawConnection(socket);
    }

    /// <summary>Reads until <paramref name="marker"/> appears in what was received.</summary>
    public async Task<string> ReadUntilAsync(string marker, TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains(marker, StringComparison.Ordinal))
        {
            var read = await _socket.ReceiveAsync(buffer, cts.Token);
            if (read == 0)
            {
                break;
            }

            received.Append(Encoding.Latin1.GetString(buffer, 0, read));
        }

        return received.ToString();
    }

    public void Dispose() => _socket.Dispose();
}
