using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AspNetStreaming.Responses;

/// <summary>
/// What the library's endpoints say about themselves in OpenAPI (through the framework's own endpoint metadata, so an
/// app that calls <c>AddOpenApi</c> documents them with no more work): tags, request bodies and every status they
/// answer with. One place, so the descriptions follow the behaviour.
/// </summary>
internal static class EndpointDescriptions
{
    private const string Binary = "application/octet-stream";

    // Accepts metadata is also a routing rule (a body of another type is refused with a bare 415 before the handler
    // runs): every described endpoint accepts any type too, and its handler answers a wrong one itself (ProblemDetails,
    // the protocol's headers).
    private const string AnyType = "*/*";

    public static RouteHandlerBuilder DescribeFiles(this RouteHandlerBuilder builder) => builder
        .WithTags("Files")
        .WithSummary("A file, whole or in byte ranges (RFC 9110: Range, If-Range, validators and preconditions).")
        .Produces<Stream>(StatusCodes.Status200OK, Binary)
        .Produces<Stream>(StatusCodes.Status206PartialContent, Binary, "multipart/byteranges")
        .Produces(StatusCodes.Status304NotModified)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .Produces(StatusCodes.Status416RangeNotSatisfiable) // Content-Range: bytes */length, no body
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>An upload's answers: stored (201, and 204 when <paramref name="replaces"/> and it replaced a file) or
    /// refused with one of <paramref name="problems"/>.</summary>
    public static RouteHandlerBuilder DescribeUpload(this RouteHandlerBuilder builder, string summary, string contentType, bool replaces, params int[] problems)
    {
        builder.WithTags("Uploads").WithSummary(summary).Accepts(typeof(Stream), contentType, AnyType).Produces(StatusCodes.Status201Created);
        if (replaces)
        {
            builder.Produces(StatusCodes.Status204NoContent);
        }

        foreach (var status in problems)
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }

    /// <summary>One request of a resumable upload protocol: its success status, its body's media type (if it takes one)
    /// and the problems it may answer with.</summary>
    public static RouteHandlerBuilder DescribeResumable(this RouteHandlerBuilder builder, string summary, int success, string? accepts, params int[] problems)
    {
        builder.WithSummary(summary).Produces(success);
        if (accepts is not null)
        {
            builder.Accepts(typeof(Stream), isOptional: true, accepts, AnyType);
        }

        foreach (var status in problems)
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }

    /// <summary>The query parameters a program's arguments are bound from (each required: given exactly once); route
    /// values are the pattern's own.</summary>
    public static RouteHandlerBuilder DescribeArguments(this RouteHandlerBuilder builder, IEnumerable<Processes.ProcessCommandTemplate> templates)
    {
        foreach (var name in templates.SelectMany(template => template.Arguments)
            .Where(argument => argument.Source == Processes.ProcessArgumentSource.Query).Select(argument => argument.Name!).Distinct(StringComparer.Ordinal))
        {
            builder.WithQuery(name, required: true);
        }

        return builder;
    }

    /// <summary>A program's stdout, streamed as it is written, as the response; a request body only where one of the
    /// methods takes one (a GET-only program documents none).</summary>
    public static RouteHandlerBuilder DescribeProcess(this RouteHandlerBuilder builder, string contentType, IEnumerable<string> methods)
    {
        builder.WithTags("Processes")
            .WithSummary("A program's stdout, streamed as the response while it runs (the request body streams into its stdin).");
        if (methods.Any(method => HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method)))
        {
            builder.Accepts(typeof(Stream), isOptional: true, Binary, AnyType);
        }

        return builder.Produces<Stream>(StatusCodes.Status200OK, contentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status408RequestTimeout) // a request body slower than Kestrel's minimum rate
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status502BadGateway) // the program failed, could not start, or broke its output
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
    }
}
