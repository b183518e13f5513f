using System.Collections.Concurrent;
using Dla.Contracts;
using MassTransit;

namespace Dla.Scheduler.Tests.Hosting;

/// <summary>What the scheduler sent to the workers, as a test worker pool would receive it.</summary>
public sealed class BatchRecorder
{
    private readonly ConcurrentQueue<ProcessImageBatch> _batches = new();
    private readonly ConcurrentQueue<Guid> _cancellations = new();

    /// <summary>Batches whose delivery throws, as a worker that keeps failing would; MassTransit then publishes a fault.</summary>
    public Func<ProcessImageBatch, bool> FailWhen { get; set; } = _ => false;

    public IReadOnlyList<ProcessImageBatch> Batches => _batches.ToArray();

    public IReadOnlyList<Guid> Cancellations => _cancellations.ToArray();

    public IReadOnlyList<ProcessImageBatch> For(Guid jobId) => Batches.Where(b => b.JobId == jobId).ToList();

    internal void Record(ProcessImageBatch batch) => _batches.Enqueue(batch);

    internal void Record(Guid cancelledJob) => _cancellations.Enqueue(cancelledJob);
}

/// <summary>Stands in for the workers: records every batch (and fails the ones asked to).</summary>
public sealed class RecordingBatchConsumer(BatchRecorder recorder) : IConsumer<ProcessImageBatch>
{
    public Task Consume(ConsumeContext<ProcessImageBatch> context)
    {
        recorder.Record(context.Message);
        return recorder.FailWhen(context.Message)
            ? throw new InvalidOperationException($"simulated failure of batch {context.Message.BatchIndex}")
            : Task.CompletedTask;
    }
}

/// <summary>Records the cancellations workers would act on.</summary>
public sealed class RecordingCancellationConsumer(BatchRecorder recorder) : IConsumer<JobCancellationRequested>
{
    public Task Consume(ConsumeContext<JobCancellationRequested> context)
    {
        recorder.Record(context.Message.JobId);
        return Task.CompletedTask;
    }
}
