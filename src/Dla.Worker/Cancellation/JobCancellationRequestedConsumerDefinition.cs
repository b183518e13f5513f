using MassTransit;

namespace Dla.Worker.Cancellation;

/// <summary>
/// Every worker must see every cancellation, so each process listens on a queue of its own (an
/// instance id in the name), deleted when the process stops, instead of sharing one competing queue.
/// </summary>
public sealed class JobCancellationRequestedConsumerDefinition : ConsumerDefinition<JobCancellationRequestedConsumer>
{
    /// <summary>Creates the definition.</summary>
    public JobCancellationRequestedConsumerDefinition() =>
        Endpoint(endpoint =>
        {
            endpoint.InstanceId = NewId.NextGuid().ToString("N");
            endpoint.Temporary = true;
        });
}
