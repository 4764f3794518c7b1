using AspNetStreaming;
using AspNetStreaming.Diagnostics;
using AspNetStreaming.Http;
using AspNetStreaming.Responses;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AspNetStreaming's services and binds its options.</summary>
public static class StreamingServiceCollectionExtensions
{
    /// <summary>Registers everything the library offers, binding each area's options from a sub-section of
    /// <paramref name="streamingSection"/> (the <c>Streaming</c> section of the app's configuration):
    /// <c>Files</c>, <c>Uploads</c>, <c>Processes</c> and <c>Cgi</c>; and the server's large-block memory pool from
    /// <c>Transport</c> (<see cref="TransportServiceCollectionExtensions.AddStreamingServerBuffers"/>: server-wide,
    /// on unless <c>Transport:Enabled</c> is false).</summary>
    public static IServiceCollection AddAspNetStreaming(this IServiceCollection services, IConfiguration streamingSection)
    {
        ArgumentNullException.ThrowIfNull(streamingSection);
        services.AddStreamingServerBuffers(streamingSection.GetSection("Transport"));
        services.AddStreamingStorage(streamingSection.GetSection("Storage"));
        services.AddStreamingUploads(streamingSection.GetSection("Uploads"));
        services.AddStreamingProcesses(streamingSection.GetSection("Processes"));
        services.AddStreamingCgi(streamingSection.GetSection("Cgi"));
        return services.AddStreamingFiles(streamingSection.GetSection("Files"));
    }

    /// <summary>Registers the shared services (metrics, ProblemDetails) that every area uses.</summary>
    public static IServiceCollection AddStreamingCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton<ResponseMetrics>();
        services.AddProblemDetails();
        return services;
    }

    /// <summary>Registers file serving and binds <see cref="FileServingOptions"/> from <paramref name="section"/>.</summary>
    public static IServiceCollection AddStreamingFiles(this IServiceCollection services, IConfiguration section)
    {
        services.AddStreamingCore();
        services.AddRuledOptions(section, FileServingOptions.Rules);
        return services;
    }
}
