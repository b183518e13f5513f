using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Dla.Scheduler.Api;

/// <summary>
/// Declares the API key in the OpenAPI document when one is configured: a bearer scheme and an
/// <c>X-Api-Key</c> header scheme, either of which every <c>/jobs</c> operation accepts.
/// </summary>
internal sealed class ApiKeyOpenApi(IOptions<ApiKeyOptions> options) : IOpenApiDocumentTransformer
{
    private const string Bearer = "bearer";
    private const string Header = "apiKey";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (options.Value.Keys.Count == 0)
        {
            return Task.CompletedTask;
        }
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "One of the scheduler's API keys (Api:Keys), as Authorization: Bearer <key>.",
        };
        document.Components.SecuritySchemes[Header] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "The same key in the X-Api-Key header.",
        };
        var operations = document.Paths.Where(p => p.Key.StartsWith("/jobs", StringComparison.Ordinal)).SelectMany(p => p.Value.Operations?.Values.AsEnumerable() ?? []);
        foreach (var operation in operations)
        {
            // Two requirements: either scheme is enough.
            operation.Security = [Requirement(Bearer, document), Requirement(Header, document)];
        }
        return Task.CompletedTask;
    }

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };
}
