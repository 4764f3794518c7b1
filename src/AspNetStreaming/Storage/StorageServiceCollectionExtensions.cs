using AspNetStreaming;
using AspNetStreaming.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers where AspNetStreaming's files live.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>Binds <see cref="StorageOptions"/> from <paramref name="section"/> (<c>Streaming:Storage</c>) and
    /// checks it when the app starts. With <c>Provider: AzureBlob</c>, <c>MapFiles</c> serves the blobs of the
    /// container instead of a local folder; without the section everything stays on the local disk.</summary>
    public static IServiceCollection AddStreamingStorage(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddRuledOptions(section, StorageOptions.Rules);
        services.TryAddSingleton<StreamingStorage>();
        return services;
    }
}
