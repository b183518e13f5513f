using Dla.Contracts;
using MassTransit;

namespace Dla.Worker.Cancellation;

/// <summary>Stops this process's in-flight batches of a cancelled job; queued ones are skipped by their consumer.</summary>
public sealed partial class JobCancellationRequestedConsumer(JobCancellations cancellations, ILogger<JobCancellationRequestedConsumer> logger)
    : IConsumer<JobCancellationRequested>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<JobCancellationRequested> context)
    {
        LogCancelling(logger, context.Message.JobId);
        cancellations.Cancel(context.Message.JobId);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancelling in-flight batches of job {JobId}")]
    private static partial void LogCancelling(ILogger logger, Guid jobId);
}
