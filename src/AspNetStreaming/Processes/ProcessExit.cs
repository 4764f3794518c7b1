namespace AspNetStreaming.Processes;

/// <summary>How a run ended, as its caller needs it: the pipeline's outcome, and the input's own error when the
/// input is what failed (the request body was too large or broke off), so the answer can name that instead.</summary>
internal sealed record ProcessExit(ProcessOutcome Outcome, Exception? InputError);
