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
        services.AddOptions<UploadOptions>().Bind(section)
            .Validate(o => o.MaxSize > 0, "Streaming:Uploads:MaxSize must be positive.")
            .Validate(o => o.MaxNameLength is > 0 and <= 200, "Streaming:Uploads:MaxNameLength must be 1..200.")
            .Validate(o => o.MaxConcurrentUploads > 0, "Streaming:Uploads:MaxConcurrentUploads must be positive.")
            .Validate(o => o.MinDataRate <= 0 || o.MinDataRateGracePeriod > TimeSpan.FromSeconds(1),
                "Streaming:Uploads:MinDataRateGracePeriod must be longer than 1 second (Kestrel's heartbeat).")
            .ValidateOnStart();
        services.TryAddSingleton<UploadIngestor>();
        services.TryAddSingleton<ResumableUploadStore>();
        services.AddHostedService<ResumableUploadCleanupService>();
        return services;
    }
}
