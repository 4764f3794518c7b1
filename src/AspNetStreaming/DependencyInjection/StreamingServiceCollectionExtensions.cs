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
    /// <remarks>Two registrations reach beyond the library's own endpoints: the memory pool and the socket write
    /// buffer it sets (<c>Transport:MaxWriteBufferSize</c>) serve every response of the server, and
    /// <c>AddProblemDetails</c> (through <see cref="AddStreamingCore"/>) changes what the app's exception handler and
    /// status-code pages write. Turn the first off with <c>Transport:Enabled</c> = false; register the areas one by
    /// one (<c>AddStreamingFiles</c>, <c>AddStreamingUploads</c>, …) to choose.</remarks>
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

    /// <summary>Registers the shared services (metrics, ProblemDetails, the API descriptions of the protocol headers the
    /// endpoints read) that every area uses.</summary>
    public static IServiceCollection AddStreamingCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton<ResponseMetrics>();
        services.AddProblemDetails();
        return services.AddDocumentedParameters();
    }

    /// <summary>Registers file serving and binds <see cref="FileServingOptions"/> from <paramref name="section"/>.</summary>
    public static IServiceCollection AddStreamingFiles(this IServiceCollection services, IConfiguration section)
    {
        services.AddStreamingCore();
        services.AddRuledOptions(section, FileServingOptions.Rules);
        return services;
    }
}
