namespace AspNetStreaming.Cgi;

/// <summary>CGI/1.1 host settings, bound from <c>Streaming:Cgi</c>. Process settings (environment allow-list,
/// timeouts, caps, stderr) come from <c>Streaming:Processes</c>.</summary>
public sealed class CgiOptions
{
    /// <summary>The scripts directory, relative to the content root or absolute. <c>cgi-bin</c> by default.</summary>
    public string Root { get; set; } = "cgi-bin";

    /// <summary>The most bytes of the script's response header block. 64 KiB by default.</summary>
    public int MaxHeaderBytes { get; set; } = 64 * 1024;

    /// <summary>The <c>SERVER_SOFTWARE</c> meta-variable.</summary>
    public string ServerSoftware { get; set; } = "AspNetStreaming";

    /// <summary>How many internal redirects (a local <c>Location</c>) one request may follow. 5 by default.</summary>
    public int MaxInternalRedirects { get; set; } = 5;

    /// <summary>Where request bodies of unknown length (chunked) are spooled so <c>CONTENT_LENGTH</c> can be
    /// set (and every body, with <see cref="SpoolRequestBodies"/>); the system temp folder when <see langword="null"/>. Spool files are deleted when the request ends.</summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>The most bytes spooled for a body. 1 GiB by default.</summary>
    public long MaxSpoolBytes { get; set; } = 1L << 30;

    /// <summary>Whether a body with a <c>Content-Length</c> is spooled whole, like a chunked one, before the script
    /// starts, instead of streaming into its stdin; off by default. Turn it on behind nginx: it stops passing a request
    /// body on once the response has started, so a script that writes its head before it has read its input waits
    /// for the rest of stdin until the idle timeout.</summary>
    public bool SpoolRequestBodies { get; set; }

    internal static OptionsRules<CgiOptions> Rules { get; } = new("Streaming:Cgi", o =>
        o.MaxHeaderBytes <= 0 ? "MaxHeaderBytes must be positive."
        : o.MaxInternalRedirects < 0 ? "MaxInternalRedirects must not be negative."
        : o.MaxHeaderBytes > 16 * 1024 * 1024 ? "MaxHeaderBytes must be at most 16 MiB."
        : o.MaxSpoolBytes < 0 ? "MaxSpoolBytes must not be negative."
        : o.SpoolDirectory is { Length: > 0 } spool && !Directory.Exists(spool) ? $"SpoolDirectory '{spool}' does not exist."
        : null);

    /// <summary>A copy a mapping adjusts without touching the registered options.</summary>
    internal CgiOptions Clone() => (CgiOptions)MemberwiseClone();
}
