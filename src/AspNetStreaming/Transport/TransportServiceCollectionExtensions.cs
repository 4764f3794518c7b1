using AspNetStreaming;
using AspNetStreaming.Producers;
using AspNetStreaming.Transport;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the server's large-block memory pool.</summary>
public static class TransportServiceCollectionExtensions
{
    /// <summary>Makes Kestrel receive and send through blocks of <see cref="ServerBufferOptions.BlockSize"/> (64 KiB
    /// by default) instead of its own 4 KiB ones, binding <see cref="ServerBufferOptions"/> from
    /// <paramref name="section"/> (<c>Streaming:Transport</c>). This is a server-wide setting: every connection of
    /// the app uses the pool, and the transport holds at most <see cref="ServerBufferOptions.MaxWriteBufferSize"/>
    /// of a connection's unsent output before a flush waits. With <c>Enabled: false</c> in the section Kestrel keeps
    /// its own pool and transport settings. Either way it registers the app's <see cref="ChunkBudget"/> (the
    /// <c>ChunkBudget</c> setting), which this library's responses lease large chunks from. Call it after the host
    /// has added Kestrel (as <c>WebApplication.CreateBuilder</c> does) so this registration wins.</summary>
    /// <exception cref="Options.OptionsValidationException">The section holds an out-of-range value.</exception>
    public static IServiceCollection AddStreamingServerBuffers(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        // Bound and checked now, not at start: whether and how to replace Kestrel's pool is decided here.
        var options = ServerBufferOptions.Rules.ThrowIfInvalid(section.Get<ServerBufferOptions>() ?? new ServerBufferOptions());
        services.AddSingleton(new ChunkBudget(options.ChunkBudget));
        if (!options.Enabled)
        {
            return services;
        }

        services.AddRuledOptions(section, ServerBufferOptions.Rules);
        services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        services.Configure<SocketTransportOptions>(socket => socket.MaxWriteBufferSize = options.MaxWriteBufferSize);
        return services;
    }
}
