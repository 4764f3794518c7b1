namespace AspNetStreaming.Storage;

/// <summary>
/// The names an object store serves, confined as paths are on disk: relative, <c>/</c> between non-empty segments,
/// no <c>.</c> or <c>..</c> segment (a blob name is flat, but a proxy or a client normalises such names, so two
/// spellings would reach different objects), no backslash and no control character, dot files only when allowed,
/// at most 1,024 characters (the service's limit for a blob name).
/// </summary>
internal static class StoreNames
{
    public const int MaxLength = 1024;

    /// <summary>Whether <paramref name="name"/> may be served; <paramref name="reason"/> says why not.</summary>
    public static bool IsAllowed(string? name, bool allowDotFiles, out string? reason)
    {
        reason = name switch
        {
            null or "" => "the name is empty",
            { Length: > MaxLength } => $"the name is longer than {MaxLength} characters",
            _ when name.Contains('\\', StringComparison.Ordinal) => "the name holds a backslash",
            _ when name.Any(char.IsControl) => "the name holds a control character",
            _ => SegmentProblem(name, allowDotFiles),
        };
        return reason is null;
    }

    private static string? SegmentProblem(string name, bool allowDotFiles)
    {
        var segments = name.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Length == 0)
            {
                return "the name has an empty segment";
            }

            if (segment is "." or "..")
            {
                return "the name has a '.' or '..' segment";
            }

            if (!allowDotFiles && segment[0] == '.' && !IO.RootedPathResolver.IsWellKnownDirectory(segment, isLast: i == segments.Length - 1))
            {
                return "the name has a dot segment and dot files are not served";
            }
        }

        return null;
    }
}
