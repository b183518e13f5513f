using MassTransit;

namespace Dla.Scheduler.Completion;

/// <summary>Retries transient database errors while recording the failure.</summary>
public sealed class ProcessImageBatchFaultConsumerDefinition : ConsumerDefinition<ProcessImageBatchFaultConsumer>
{
    /// <summary>Sets the concurrency limit.</summary>
    public ProcessImageBatchFaultConsumerDefinition() => ConcurrentMessageLimit = 4;

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ProcessImageBatchFaultConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500)));
}
