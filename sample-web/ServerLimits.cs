using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace SampleWeb;

/// <summary>Kestrel's limits from <c>Kestrel:Limits</c> (appsettings.json says why each is set). Kestrel reads its
/// endpoints from configuration but not its limits, and the two minimum data rates have no parameterless constructor
/// for the binder, so they are read here.</summary>
internal static class ServerLimits
{
    public static void BindKestrelLimits(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Kestrel:Limits");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var limits = kestrel.Limits;
            if (section.GetValue<TimeSpan?>("RequestHeadersTimeout") is { } headers)
            {
                limits.RequestHeadersTimeout = headers;
            }

            if (section.GetValue<TimeSpan?>("KeepAliveTimeout") is { } keepAlive)
            {
                limits.KeepAliveTimeout = keepAlive;
            }

            if (Rate(section.GetSection("MinRequestBodyDataRate")) is { } body)
            {
                limits.MinRequestBodyDataRate = body;
            }

            if (Rate(section.GetSection("MinResponseDataRate")) is { } response)
            {
                limits.MinResponseDataRate = response;
            }
        });
    }

    private static MinDataRate? Rate(IConfigurationSection section)
        => section.GetValue<double?>("BytesPerSecond") is { } rate && section.GetValue<TimeSpan?>("GracePeriod") is { } grace
            ? new MinDataRate(rate, grace)
            : null;
}
