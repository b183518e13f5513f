using Dla.Messaging;
using Dla.Scheduler.Api;
using Dla.Scheduler.WebConsole;
using Dla.ServiceDefaults.Telemetry;
using MassTransit;

namespace Dla.Scheduler;

/// <summary>Builds the scheduler web application; <c>Program.cs</c> and the tests share it.</summary>
public static class SchedulerApp
{
    /// <summary>The default OpenTelemetry service name (<c>OTEL_SERVICE_NAME</c> overrides it).</summary>
    public const string ServiceName = "dla-scheduler";

    /// <summary>
    /// The scheduler: services, bus, endpoints (behind API keys), the console (<c>/ui/</c>), health, OpenAPI, and OpenTelemetry with <c>/metrics</c>.
    /// <paramref name="configure"/> may add configuration or services before anything is registered (tests set the database and transport);
    /// <paramref name="configureBus"/> may register more consumers (tests observe the dispatched batches).
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null, Action<IBusRegistrationConfigurator>? configureBus = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.Services.AddDlaScheduler(builder.Configuration);
        builder.Services.AddApiKeys();
        builder.Services.AddConsole();
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddDlaSchedulerConsumers();
            configureBus?.Invoke(bus);
            bus.UsingDlaTransport(builder.Configuration);
        });
        builder.AddDlaTelemetry(ServiceName);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseConsoleFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseConsoleCsrfCheck();
        app.UseAuthorization();
        app.UseRequestLimits();
        app.MapDlaSchedulerApi();
        app.MapConsole();
        app.MapOpenApi();
        app.MapDlaSchedulerHealth();
        app.MapDlaMetrics();
        return app;
    }
}
