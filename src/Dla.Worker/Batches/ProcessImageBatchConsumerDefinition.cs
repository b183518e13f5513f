using Dla.Modeling.Inference;
using Dla.Modeling.Weights;
using Dla.Worker.Inference;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Dla.Worker.Batches;

/// <summary>
/// Concurrency, prefetch and retry of <see cref="ProcessImageBatchConsumer"/> from <see cref="WorkerOptions"/>.
/// Retries run in process with exponential backoff (the broker has no delayed-exchange plugin);
/// a batch that still fails moves to the <c>_error</c> queue, MassTransit's default.
/// </summary>
public sealed class ProcessImageBatchConsumerDefinition : ConsumerDefinition<ProcessImageBatchConsumer>
{
    private readonly WorkerOptions _options;

    /// <summary>Creates the definition.</summary>
    public ProcessImageBatchConsumerDefinition(IOptions<WorkerOptions> options)
    {
        _options = options.Value;
        ConcurrentMessageLimit = _options.ConcurrentBatches;
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ProcessImageBatchConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _options.PrefetchCount;
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Exponential(_options.RetryCount, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2));
            // Deterministic failures: retrying only delays the error queue.
            retry.Ignore<ModelLoadException>();
            retry.Ignore<WeightsFormatException>();
            retry.Ignore<ArgumentException>();
            retry.Ignore<WeightsChangedException>();
            retry.Ignore<LabelsMismatchException>();
        });
        // ImageBatchProcessed leaves only once the consumer succeeded, never once per failed attempt.
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
