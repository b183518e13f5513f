using MassTransit;
using Microsoft.Extensions.Configuration;

namespace Dla.Messaging;

/// <summary>Selects the transport both hosts (and the embedded runner) use, from configuration only.</summary>
public static class BusTransport
{
    /// <summary>Configures RabbitMQ or the in-memory transport; consumers are registered by the caller.</summary>
    public static void UsingDlaTransport(this IBusRegistrationConfigurator bus, IConfiguration configuration)
    {
        // Queue names like process-image-batch: what KEDA's ScaledObject watches.
        bus.SetKebabCaseEndpointNameFormatter();
        var telemetry = bool.TryParse(configuration[$"{MessagingOptions.Section}:{nameof(MessagingOptions.UsageTelemetry)}"], out var on) && on;
        bus.ConfigureUsageTelemetryOptions(options => options.Enabled = telemetry);
        var transport = configuration[$"{MessagingOptions.Section}:Transport"] ?? "rabbitmq";
        if (transport == "inmemory")
        {
            bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            return;
        }
        var uri = configuration.GetConnectionString("RabbitMq") ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq (an amqp:// URI) is required when Messaging:Transport is rabbitmq.");
        bus.UsingRabbitMq((context, cfg) =>
        {
            cfg.Host(new Uri(uri));
            cfg.ConfigureEndpoints(context);
        });
    }
}
