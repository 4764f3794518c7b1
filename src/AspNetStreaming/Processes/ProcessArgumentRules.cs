namespace AspNetStreaming.Processes;

/// <summary>Validation for a bound <see cref="ProcessArgument"/>.</summary>
public sealed class ProcessArgumentRules
{
    /// <summary>The defaults: required, non-empty, at most 256 characters, no leading <c>-</c>.</summary>
    public static ProcessArgumentRules Default { get; } = new();

    /// <summary>Whether the value may start with <c>-</c> (so a program could take it for an option). Only
    /// allow it where the argument follows <c>--</c> or an option that takes it as its value (<c>grep -e</c>).</summary>
    public bool AllowLeadingDash { get; init; }

    /// <summary>Whether an empty value is accepted.</summary>
    public bool AllowEmpty { get; init; }

    /// <summary>The longest value accepted. 256 by default.</summary>
    public int MaxLength { get; init; } = 256;

    /// <summary>A regular expression the (parsed) value must match, or <see langword="null"/>.</summary>
    public string? Pattern { get; init; }
}
