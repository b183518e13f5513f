using MassTransit;

namespace Dla.Scheduler.Completion;

/// <summary>Retries transient database errors; a few checks at once are plenty (each is a handful of counts).</summary>
public sealed class ImageBatchProcessedConsumerDefinition : ConsumerDefinition<ImageBatchProcessedConsumer>
{
    /// <summary>Sets the concurrency limit.</summary>
    public ImageBatchProcessedConsumerDefinition() => ConcurrentMessageLimit = 4;

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ImageBatchProcessedConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500)));
}
