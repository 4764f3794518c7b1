namespace AspNetStreaming.Uploads;

/// <summary>What an upload does when its target name already exists (and the request has no <c>If-Match</c>
/// or <c>If-None-Match</c> that decides it).</summary>
public enum UploadOverwritePolicy
{
    /// <summary>Replace the existing file atomically (204). Of two concurrent uploads of one name, the one that
    /// finishes last wins whole; the files never interleave.</summary>
    Replace,

    /// <summary>Refuse with 409 Conflict. Of two concurrent uploads of one name, the first to finish is stored and
    /// the other gets 409 (the publish is an atomic create-if-absent).</summary>
    Reject,
}
