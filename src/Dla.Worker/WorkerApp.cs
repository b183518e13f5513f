using Dla.Messaging;
using Dla.ServiceDefaults.Health;
using Dla.ServiceDefaults.Telemetry;
using MassTransit;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Dla.Worker;

/// <summary>Builds the worker process; <c>Program.cs</c> and the tests share it.</summary>
public static class WorkerApp
{
    /// <summary>The default OpenTelemetry service name (<c>OTEL_SERVICE_NAME</c> overrides it).</summary>
    public const string ServiceName = "dla-worker";

    /// <summary>Health check tag of the readiness probe (MassTransit tags its bus check the same way).</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// The worker: its services and consumers on the configured transport, OpenTelemetry, and the operational
    /// endpoints: <c>/health/live</c> (the process answers), <c>/health/ready</c> (the bus is connected and the
    /// preloaded model, if any, is loaded; JSON that says why not) and <c>/metrics</c>.
    /// <paramref name="configure"/> may add configuration or services before anything is registered.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.Services.AddDlaWorker(builder.Configuration);
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddDlaWorkerConsumers();
            bus.UsingDlaTransport(builder.Configuration);
        });
        builder.AddDlaTelemetry(ServiceName);
        var app = builder.Build();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = HealthResponse.WriteAsync });
        app.MapDlaMetrics();
        return app;
    }
}
