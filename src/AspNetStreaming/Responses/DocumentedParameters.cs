using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace AspNetStreaming.Responses;

/// <summary>Endpoint metadata: a request header or query parameter the endpoint reads itself (the protocol handlers and
/// process templates read the request, not delegate parameters), so that its description can say so.</summary>
internal sealed record DocumentedParameter(string Name, bool InQuery, bool Required);

/// <summary>Adds each endpoint's <see cref="DocumentedParameter"/>s to its API description, which OpenAPI generators
/// (Microsoft.AspNetCore.OpenApi, Swashbuckle) read: the library documents its protocol headers without depending on
/// any of them. Runs after the framework's own provider has described the endpoints.</summary>
internal sealed class DocumentedParameterApiDescriptionProvider : IApiDescriptionProvider
{
    // A string's metadata, which generators read for the schema (no MVC model binding is involved).
    private static readonly ModelMetadata StringMetadata = new EmptyModelMetadataProvider().GetMetadataForType(typeof(string));

    public int Order => 0; // the framework's endpoint provider is -1100

    public void OnProvidersExecuting(ApiDescriptionProviderContext context)
    {
        foreach (var description in context.Results)
        {
            foreach (var parameter in description.ActionDescriptor.EndpointMetadata.OfType<DocumentedParameter>())
            {
                var source = parameter.InQuery ? BindingSource.Query : BindingSource.Header;
                if (description.ParameterDescriptions.Any(existing => existing.Source == source
                    && string.Equals(existing.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                description.ParameterDescriptions.Add(new ApiParameterDescription
                {
                    Name = parameter.Name,
                    Source = source,
                    Type = typeof(string),
                    ModelMetadata = StringMetadata,
                    IsRequired = parameter.Required,
                });
            }
        }
    }

    public void OnProvidersExecuted(ApiDescriptionProviderContext context)
    {
    }
}

/// <summary>The builder side of <see cref="DocumentedParameter"/>, and its registration.</summary>
internal static class DocumentedParameterExtensions
{
    public static TBuilder WithHeaders<TBuilder>(this TBuilder builder, params string[] names)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata([.. names.Select(name => (object)new DocumentedParameter(name.TrimEnd('!'), InQuery: false, Required: name.EndsWith('!')))]);

    public static Microsoft.Extensions.DependencyInjection.IServiceCollection AddDocumentedParameters(this Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddEnumerable(services,
            Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Transient<IApiDescriptionProvider, DocumentedParameterApiDescriptionProvider>());
        return services;
    }

    public static TBuilder WithQuery<TBuilder>(this TBuilder builder, string name, bool required)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new DocumentedParameter(name, InQuery: true, required));
}
