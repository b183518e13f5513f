using System.Text.Json;
using System.Text.Json.Serialization;
using Dla.ServiceDefaults.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Dla.Scheduler.Api;

/// <summary>The HTTP surface: snake_case JSON, problem details, OpenAPI, health, and the job routes.</summary>
public static class ApiRegistration
{
    /// <summary>Health check tag of the readiness probe (MassTransit tags its bus check the same way).</summary>
    public const string ReadyTag = "ready";

    /// <summary>Adds JSON settings, problem details, OpenAPI and the database health check.</summary>
    public static IServiceCollection AddApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            // A misspelt field must not silently fall back to its default.
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        });
        services.AddProblemDetails();
        services.AddOptions<RequestLimitOptions>().BindConfiguration(RequestLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Microsoft.AspNetCore.Http.Features.FormOptions>().Configure<Microsoft.Extensions.Options.IOptions<RequestLimitOptions>>(
            (form, limits) => form.MultipartBodyLengthLimit = limits.Value.MaxUploadBytes);
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]);
        return services;
    }

    /// <summary>Caps request bodies (<see cref="RequestLimitOptions"/>); before the endpoints, so no reader sees more.</summary>
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) => app.UseMiddleware<RequestLimits>();

    /// <summary>
    /// Maps the job API under <c>/jobs</c>, behind the API key (<see cref="ApiKeyRegistration.AddApiKeys"/>).
    /// Health, metrics and the OpenAPI document stay open: probes and scrapers carry no key.
    /// </summary>
    public static IEndpointRouteBuilder MapDlaSchedulerApi(this IEndpointRouteBuilder endpoints)
    {
        var jobs = endpoints.MapGroup("/jobs").WithTags("Jobs").RequireAuthorization()
            .AddEndpointFilter<JobErrorFilter>().AddEndpointFilter<TenantScopeFilter>();
        JobEndpoints.Map(jobs);
        ResultEndpoints.Map(jobs);
        BrowseEndpoints.Map(jobs);
        return endpoints;
    }

    /// <summary>Maps <c>/health/live</c> (the process answers) and <c>/health/ready</c> (database and bus).</summary>
    public static IEndpointRouteBuilder MapDlaSchedulerHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = HealthResponse.WriteAsync });
        return endpoints;
    }
}
