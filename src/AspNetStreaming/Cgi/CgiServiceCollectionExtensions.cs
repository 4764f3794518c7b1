using AspNetStreaming;
using AspNetStreaming.Cgi;
using AspNetStreaming.Processes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the CGI host's options.</summary>
public static class CgiServiceCollectionExtensions
{
    /// <summary>Binds <see cref="CgiOptions"/> from <paramref name="section"/> (<c>Streaming:Cgi</c>). Process
    /// services must be registered too (<c>AddStreamingProcesses</c>); <c>AddAspNetStreaming</c> does both.</summary>
    public static IServiceCollection AddStreamingCgi(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddRuledOptions(section, CgiOptions.Rules);
        return services;
    }
}
