using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Processes;

/// <summary>
/// One argv entry of a mapped command: a literal, or a value bound from the route or the query string,
/// parsed as a type and validated (length, pattern, no leading <c>-</c> unless allowed, no control
/// characters) before it may reach a program. A value that fails is a 400, never an argument.
/// </summary>
public sealed class ProcessArgument
{
    private readonly Func<string, (bool Ok, string Value)>? _parse;

    private ProcessArgument(string? literal, string? name, ProcessArgumentSource source, Func<string, (bool, string)>? parse, ProcessArgumentRules rules)
    {
        LiteralValue = literal;
        Name = name;
        Source = source;
        _parse = parse;
        Rules = rules;
    }

    /// <summary>Where the value comes from.</summary>
    public ProcessArgumentSource Source { get; }

    /// <summary>The route or query name, for bound arguments.</summary>
    public string? Name { get; }

    /// <summary>The value, for literals.</summary>
    public string? LiteralValue { get; }

    /// <summary>The validation rules, for bound arguments.</summary>
    public ProcessArgumentRules Rules { get; }

    /// <summary>A fixed argument.</summary>
    public static ProcessArgument Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, null, ProcessArgumentSource.Literal, null, ProcessArgumentRules.Default);
    }

    /// <summary>Converts a string to a literal argument.</summary>
    public static implicit operator ProcessArgument(string value) => Literal(value);

    /// <summary>Converts a string to a literal argument.</summary>
    public static ProcessArgument FromString(string value) => Literal(value);

    /// <summary>An argument bound from route value <paramref name="name"/>, parsed as <typeparamref name="T"/>
    /// and passed in its invariant form.</summary>
    public static ProcessArgument FromRoute<T>(string name, ProcessArgumentRules? rules = null)
        where T : ISpanParsable<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new(null, name, ProcessArgumentSource.Route, Parser<T>(), rules ?? ProcessArgumentRules.Default);
    }

    /// <summary>An argument bound from query parameter <paramref name="name"/>, parsed as <typeparamref name="T"/>
    /// and passed in its invariant form.</summary>
    public static ProcessArgument FromQuery<T>(string name, ProcessArgumentRules? rules = null)
        where T : ISpanParsable<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new(null, name, ProcessArgumentSource.Query, Parser<T>(), rules ?? ProcessArgumentRules.Default);
    }

    /// <summary>Binds the argument for a request.</summary>
    /// <returns>Whether the value is acceptable; <paramref name="error"/> says why not (for the 400 body).</returns>
    public bool TryBind(HttpContext context, out string value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(context);
        value = string.Empty;
        error = null;
        if (Source == ProcessArgumentSource.Literal)
        {
            value = LiteralValue!;
            return true;
        }

        string? raw = Source == ProcessArgumentSource.Route
            ? context.Request.RouteValues[Name!]?.ToString()
            : context.Request.Query.TryGetValue(Name!, out var values) ? (values.Count == 1 ? values[0] : null) : null;
        if (Source == ProcessArgumentSource.Query && context.Request.Query.TryGetValue(Name!, out var all) && all.Count > 1)
        {
            error = $"'{Name}' is given more than once.";
            return false;
        }

        if (raw is null)
        {
            error = $"'{Name}' is required.";
            return false;
        }

        if (raw.Length == 0 && !Rules.AllowEmpty)
        {
            error = $"'{Name}' must not be empty.";
            return false;
        }

        if (raw.Length > Rules.MaxLength)
        {
            error = $"'{Name}' is longer than {Rules.MaxLength} characters.";
            return false;
        }

        if (raw.Any(char.IsControl))
        {
            error = $"'{Name}' contains a control character.";
            return false;
        }

        var (ok, parsed) = _parse!(raw);
        if (!ok)
        {
            error = $"'{Name}' is not a valid value.";
            return false;
        }

        if (parsed.StartsWith('-') && !Rules.AllowLeadingDash)
        {
            error = $"'{Name}' must not start with '-'.";
            return false;
        }

        if (Rules.Pattern is { } pattern && !Regex.IsMatch(parsed, pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)))
        {
            error = $"'{Name}' does not match the allowed pattern.";
            return false;
        }

        value = parsed;
        return true;
    }

    private static Func<string, (bool, string)> Parser<T>()
        where T : ISpanParsable<T>
    {
        if (typeof(T) == typeof(string))
        {
            return static raw => (true, raw);
        }

        return static raw => T.TryParse(raw, CultureInfo.InvariantCulture, out var parsed)
            ? (true, parsed is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : parsed.ToString() ?? string.Empty)
            : (false, string.Empty);
    }
}
