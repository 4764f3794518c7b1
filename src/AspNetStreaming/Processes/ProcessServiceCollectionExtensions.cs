using AspNetStreaming;
using AspNetStreaming.Processes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers process endpoints' services.</summary>
public static class ProcessServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="ProcessSupervisor"/> (caps, shutdown kill) and binds
    /// <see cref="ProcessOptions"/> from <paramref name="section"/> (<c>Streaming:Processes</c>).</summary>
    public static IServiceCollection AddStreamingProcesses(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddStreamingCore();
        services.AddRuledOptions(section, ProcessOptions.Rules);
        services.TryAddSingleton<ProcessSupervisor>();
        return services;
    }
}
