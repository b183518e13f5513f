using Dla.Contracts;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Dispatch;
using Dla.Scheduler.Telemetry;
using MassTransit;

namespace Dla.Scheduler.Completion;

/// <summary>
/// A batch exhausted the worker's retries and went to the error queue: mark it failed with the error,
/// wake the dispatcher (its queue slot is free), then let the job finish if nothing else is left ("retry failed"
/// re-plans it later). A fault of an
/// older dispatch, or of a batch that completed after all, changes nothing.
/// </summary>
public sealed class ProcessImageBatchFaultConsumer(IDlaDbContextFactory databases, JobCompletion completion, DispatchSignal dispatchSignal, SchedulerMetrics metrics) : IConsumer<Fault<ProcessImageBatch>>
{
    /// <summary>Longest error text kept on a batch.</summary>
    private const int MaxErrorLength = 4000;

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<Fault<ProcessImageBatch>> context)
    {
        var batch = context.Message.Message;
        var error = string.Join("; ", context.Message.Exceptions.Select(e => $"{e.ExceptionType}: {e.Message}"));
        error = error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
        await using (var db = await databases.CreateAsync(context.CancellationToken))
        {
            // Only a batch still queued or started under this very dispatch: one that retry-failed re-planned
            // keeps its dispatch count, and a late fault of its old dispatch must not fail it again.
            var failed = await BatchTransitions.FailAsync(db, batch.JobId, batch.BatchIndex, batch.Dispatch, error, context.CancellationToken);
            if (failed)
            {
                metrics.BatchFailed(context.Message.Exceptions.FirstOrDefault()?.ExceptionType ?? "unknown");
                dispatchSignal.Raise();
            }
        }
        await completion.CheckAsync(batch.JobId, context.CancellationToken);
    }
}
