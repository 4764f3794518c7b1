using Azure;

namespace AspNetStreaming.Storage.AzureBlob;

/// <summary>Which failures of the blob service mean "the store is unavailable now" (503 with Retry-After) rather than
/// an answer about the object: no response at all, a server error, throttling, or the client's retries spent on
/// those.</summary>
internal static class AzureBlobErrors
{
    public static bool IsUnavailable(Exception error, CancellationToken caller) => error switch
    {
        // A container deleted while in use is a store not ready either: the next request checks for it again.
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or >= 500 || failed.ErrorCode == "ContainerNotFound",
        AggregateException retries => retries.InnerExceptions.Count > 0 && retries.InnerExceptions.All(e => IsUnavailable(e, caller)),
        HttpRequestException or TimeoutException => true,
        // A try cut at the SDK's network timeout is an OperationCanceledException too (on its own timeout token): only
        // the caller's token tells it from the caller's cancellation.
        OperationCanceledException => !caller.IsCancellationRequested,
        _ => false,
    };

    /// <summary>A log detail: the status and the service's error code, never the connection string or a key.</summary>
    public static string Describe(Exception error) => error switch
    {
        RequestFailedException failed => $"the blob service answered {failed.Status} {failed.ErrorCode}".TrimEnd(),
        AggregateException retries => $"the blob service failed {retries.InnerExceptions.Count} tries: {Describe(retries.InnerExceptions[^1])}",
        _ => $"the blob service could not be reached ({error.GetType().Name})",
    };

    /// <summary>An unavailable store as the storage layer's own error, for a write to fail with.</summary>
    public static StoreException Unavailable(Exception error) => new(StoreErrorKind.Unavailable, Describe(error), error);

    /// <summary>Any other refusal of the service as the storage layer's own error (a server failure: 500).</summary>
    public static StoreException Failed(RequestFailedException error) => new(StoreErrorKind.Failed, Describe(error), error);
}
