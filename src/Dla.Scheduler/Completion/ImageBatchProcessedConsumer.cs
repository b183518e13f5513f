using Dla.Contracts;
using Dla.Scheduler.Dispatch;
using MassTransit;

namespace Dla.Scheduler.Completion;

/// <summary>
/// A worker stored a batch: wake the dispatcher (<see cref="DispatchSignal"/>: the batch's queue slot is free), re-read
/// the job's progress and finish it when it is done or over its failure thresholds. The event is only a hint (it may
/// be lost or repeated); the database decides.
/// </summary>
public sealed class ImageBatchProcessedConsumer(JobCompletion completion, DispatchSignal dispatchSignal) : IConsumer<ImageBatchProcessed>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<ImageBatchProcessed> context)
    {
        dispatchSignal.Raise();
        return completion.CheckAsync(context.Message.JobId, context.CancellationToken);
    }
}
