using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.Api;

/// <summary>API key authentication of the job API. The embedded runner has no HTTP API and does not add it.</summary>
public static class ApiKeyRegistration
{
    /// <summary>
    /// Binds <see cref="ApiKeyOptions"/> (validated at start: no empty key), adds the API key authentication
    /// scheme as the default one, the authorization the <c>/jobs</c> group requires, the schemes in the OpenAPI
    /// document, and a start-up log line that warns when no key is configured.
    /// </summary>
    public static IServiceCollection AddApiKeys(this IServiceCollection services)
    {
        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section)
            .Validate(o => o.Keys.TrueForAll(k => !string.IsNullOrWhiteSpace(k)), "Api:Keys has an empty entry: set a key or remove the entry.")
            .Validate(o => o.Tenants.Keys.All(TenantNames.IsValid), $"Api:Tenants has an invalid name: {TenantNames.Rule}")
            .Validate(o => o.Tenants.Values.All(t => t.Keys.Count > 0 && t.Keys.TrueForAll(k => !string.IsNullOrWhiteSpace(k))), "Every Api:Tenants:<name> needs at least one non-empty key (Api:Tenants:<name>:Keys:0).")
            .Validate(o => o.Tenants.Values.All(t => t.MaxRunningJobs is null or > 0), "Api:Tenants:<name>:MaxRunningJobs must be at least 1 (or absent: no limit).")
            .Validate(o => o.Keys.Concat(o.Tenants.Values.SelectMany(t => t.Keys)).Distinct(StringComparer.Ordinal).Count() == o.Keys.Count + o.Tenants.Values.Sum(t => t.Keys.Count),
                "The same key appears twice in Api:Keys and Api:Tenants: each key must name exactly one caller.")
            .ValidateOnStart();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.ConfigureAll<OpenApiOptions>(o => o.AddDocumentTransformer<ApiKeyOpenApi>());
        return services.AddHostedService<ApiKeyStartupLog>();
    }
}

/// <summary>Says at start whether the job API needs a key, so an open API is never a surprise.</summary>
internal sealed partial class ApiKeyStartupLog(IOptions<ApiKeyOptions> options, ILogger<ApiKeyStartupLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var keys = options.Value;
        if (keys.IsOpen)
        {
            LogOpen();
        }
        else
        {
            LogKeys(keys.Keys.Count, keys.Tenants.Count);
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API key is configured (Api:Keys): the /jobs API accepts every request. Set Api__Keys__0 from a secret before the scheduler is reachable by others.")]
    private partial void LogOpen();

    [LoggerMessage(Level = LogLevel.Information, Message = "The /jobs API requires an API key: {KeyCount} administrator keys (Api:Keys), {TenantCount} tenants (Api:Tenants)")]
    private partial void LogKeys(int keyCount, int tenantCount);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
