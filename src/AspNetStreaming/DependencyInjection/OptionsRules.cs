using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AspNetStreaming;

/// <summary>
/// One options type's rules, applied wherever its options come from: configuration (checked when the app starts,
/// <c>ValidateOnStart</c>, through <see cref="IValidateOptions{TOptions}"/>) and the per-endpoint copies that
/// <c>Map*</c> makes and adjusts (checked when the endpoint is mapped). The message names the setting.
/// </summary>
internal sealed class OptionsRules<TOptions>(string section, Func<TOptions, string?> firstViolation) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
        => firstViolation(options) is { } problem ? ValidateOptionsResult.Fail($"{section}:{problem}") : ValidateOptionsResult.Success;

    /// <summary>Returns <paramref name="options"/>, or throws <see cref="OptionsValidationException"/> naming the setting.</summary>
    public TOptions ThrowIfInvalid(TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return firstViolation(options) is { } problem
            ? throw new OptionsValidationException(section, typeof(TOptions), [$"{section}:{problem}"])
            : options;
    }
}

internal static class OptionsRulesServiceCollectionExtensions
{
    /// <summary>Binds <typeparamref name="TOptions"/> from <paramref name="section"/> and checks it with
    /// <paramref name="rules"/> when the app starts.</summary>
    public static OptionsBuilder<TOptions> AddRuledOptions<TOptions>(this IServiceCollection services, IConfiguration section, OptionsRules<TOptions> rules)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(rules));
        return services.AddOptions<TOptions>().Bind(section).ValidateOnStart();
    }
}
