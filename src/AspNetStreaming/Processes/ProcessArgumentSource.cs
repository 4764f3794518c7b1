namespace AspNetStreaming.Processes;

/// <summary>Where a <see cref="ProcessArgument"/> takes its value from.</summary>
public enum ProcessArgumentSource
{
    /// <summary>A fixed value.</summary>
    Literal,

    /// <summary>A route value.</summary>
    Route,

    /// <summary>A query-string parameter (given exactly once).</summary>
    Query,
}
