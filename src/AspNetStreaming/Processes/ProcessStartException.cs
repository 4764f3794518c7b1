namespace AspNetStreaming.Processes;

/// <summary>A program could not be started: not found, not executable, or a bad working directory.</summary>
public sealed class ProcessStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProcessStartException()
        : this("The program could not be started.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ProcessStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ProcessStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
