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
        var count = options.Value.Keys.Count;
        if (count == 0)
        {
            LogOpen();
        }
        else
        {
            LogKeys(count);
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API key is configured (Api:Keys): the /jobs API accepts every request. Set Api__Keys__0 from a secret before the scheduler is reachable by others.")]
    private partial void LogOpen();

    [LoggerMessage(Level = LogLevel.Information, Message = "The /jobs API requires an API key: {KeyCount} accepted (Api:Keys)")]
    private partial void LogKeys(int keyCount);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
