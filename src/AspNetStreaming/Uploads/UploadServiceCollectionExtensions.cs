using AspNetStreaming;
using AspNetStreaming.Storage;
using AspNetStreaming.Uploads;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers uploads (the extension lives beside <c>AddAspNetStreaming</c>'s namespace).</summary>
public static class UploadServiceCollectionExtensions
{
    /// <summary>Registers <see cref="UploadIngestor"/>, the resumable upload store and its expiry cleanup, and binds
    /// <see cref="UploadOptions"/> from <paramref name="section"/> (<c>Streaming:Uploads</c>).</summary>
    public static IServiceCollection AddStreamingUploads(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddStreamingCore();
        services.AddRuledOptions(section, UploadOptions.Rules);
        services.TryAddSingleton<UploadIngestor>();
        services.TryAddSingleton<ResumableUploadStore>(provider =>
        {
            var ingestor = provider.GetRequiredService<UploadIngestor>();
            return provider.GetService<StreamingStorage>()?.ForResumable() is { } shared
                ? new SharedResumableUploadStore(ingestor, shared)
                : new LocalResumableUploadStore(ingestor);
        });
        services.AddHostedService<ResumableUploadCleanupService>();
        return services;
    }
}
