using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Dla.ServiceDefaults.Telemetry;

/// <summary>OpenTelemetry for a Dla service host: metrics on <c>/metrics</c>, traces (and metrics) over OTLP when configured.</summary>
public static class TelemetryRegistration
{
    /// <summary>The Prometheus scrape path, on the same port as the health endpoints.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>MassTransit's activity source and meter: publish, send, receive and consume spans, with trace context in the message headers.</summary>
    private const string MassTransit = "MassTransit";

    /// <summary>
    /// Adds the OpenTelemetry SDK: the <see cref="DlaTelemetry.Name"/> meter and activity source, MassTransit,
    /// Npgsql, ASP.NET Core, HttpClient (blob storage) and the .NET runtime; a Prometheus exporter for
    /// <see cref="MapDlaMetrics"/>; and the OTLP exporter for traces and metrics only when the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (its other <c>OTEL_EXPORTER_OTLP_*</c> settings apply too).
    /// The service name is <paramref name="serviceName"/> unless <c>OTEL_SERVICE_NAME</c> says otherwise.
    /// </summary>
    public static IHostApplicationBuilder AddDlaTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var name = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } configured ? configured : serviceName;
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(name))
            .WithMetrics(metrics => metrics
                .AddMeter(DlaTelemetry.Name, MassTransit)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(DlaTelemetry.Name, MassTransit)
                // Probes and scrapes arrive every few seconds and would drown the traces that matter.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsOperational(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql());
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>Maps <see cref="MetricsPath"/> (Prometheus text format), unauthenticated like the health endpoints.</summary>
    public static IEndpointConventionBuilder MapDlaMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath);

    private static bool IsOperational(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase);
}
