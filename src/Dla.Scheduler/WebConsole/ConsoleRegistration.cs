using Dla.Datasets;
using Dla.Scheduler.Thumbnails;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Dla.Scheduler.WebConsole;

/// <summary>
/// The web console (<c>/ui/</c>, docs/console.md): static pages served by the scheduler itself that call the job API,
/// a cookie sign-in for browsers, and thumbnails of dataset images.
/// </summary>
public static class ConsoleRegistration
{
    /// <summary>Adds the thumbnailer (its cache bound by <see cref="ThumbnailOptions"/>) and the dataset reader it reads through.</summary>
    public static IServiceCollection AddConsole(this IServiceCollection services)
    {
        services.AddOptions<ThumbnailOptions>().BindConfiguration(ThumbnailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<DatasetReader>();
        return services.AddSingleton<Thumbnailer>();
    }

    /// <summary>Serves the console's files; call before routing.</summary>
    public static IApplicationBuilder UseConsoleFiles(this IApplicationBuilder app) => app.UseStaticFiles(ConsoleAssets.Static);

    /// <summary>Refuses cross-site state changes signed in by the console's cookie (<see cref="CookieCsrf"/>); call after authentication.</summary>
    public static IApplicationBuilder UseConsoleCsrfCheck(this IApplicationBuilder app) => app.UseMiddleware<CookieCsrf>();

    /// <summary>Maps <c>/</c> (a redirect to the console), the sign-in endpoints and the console's page addresses (<c>/ui</c> itself included: routing ignores a trailing slash).</summary>
    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => Results.Redirect(ConsoleAssets.Prefix + "/")).ExcludeFromDescription();
        ConsoleLogin.Map(endpoints);
        endpoints.MapFallbackToFile(ConsoleAssets.Prefix + "/{**page}", "index.html", ConsoleAssets.Shell);
        return endpoints;
    }
}
