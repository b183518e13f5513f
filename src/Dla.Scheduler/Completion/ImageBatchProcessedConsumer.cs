using Dla.Contracts;
using MassTransit;

namespace Dla.Scheduler.Completion;

/// <summary>
/// A worker stored a batch: re-read the job's progress and finish it when it is done or over its
/// failure thresholds. The event is only a hint (it may be lost or repeated); the database decides.
/// </summary>
public sealed class ImageBatchProcessedConsumer(JobCompletion completion) : IConsumer<ImageBatchProcessed>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<ImageBatchProcessed> context) => completion.CheckAsync(context.Message.JobId, context.CancellationToken);
}
