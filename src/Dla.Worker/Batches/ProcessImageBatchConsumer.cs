using System.Diagnostics;
using Dla.Contracts;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Prediction;
using Dla.Persistence.Database;
using Dla.Datasets;
using Dla.Persistence.Jobs;
using Dla.Persistence.Results;
using Dla.ServiceDefaults.Telemetry;
using Dla.Worker.Cancellation;
using Dla.Worker.Inference;
using Dla.Worker.Telemetry;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dla.Worker.Batches;

/// <summary>
/// Runs the model on one batch and stores one outcome per image: reads the images through
/// <see cref="DatasetReader"/> while <see cref="BatchPredictor"/> decodes ahead of inference, writes
/// results and per-image errors with <see cref="IResultWriter"/> (idempotent, so redelivery is
/// safe), then publishes <see cref="ImageBatchProcessed"/>. It records the batch's start first and renews its
/// lease by heartbeat until the outcome is stored (<see cref="BatchLeases"/>); a batch that cannot be started
/// (already complete, cancelled, failed, or a stale copy of an older dispatch) is acknowledged without work. Batches of a cancelled or failed job are acknowledged
/// without work; a cancellation arriving mid-batch stops it at the next stage, and one arriving later
/// still stores nothing (the writer's job fence).
/// Stage timings, outcomes and retries go to <see cref="WorkerMetrics"/>; prediction and writing are spans
/// under MassTransit's consume span, which carries the job and batch as tags.
/// </summary>
public sealed partial class ProcessImageBatchConsumer(
    DlaDbContext db,
    ModelSessions sessions,
    DatasetReader reader,
    IResultWriter writer,
    JobCancellations cancellations,
    BatchLeases leases,
    DecodeThreads decoders,
    JobClassNames classNames,
    IOptions<WorkerOptions> workerOptions,
    IOptions<DatasetOptions> datasetOptions,
    WorkerMetrics metrics,
    ILogger<ProcessImageBatchConsumer> logger) : IConsumer<ProcessImageBatch>
{
    /// <summary>The running batch's heartbeat (a consumer instance handles one message).</summary>
    private BatchLease? _heartbeat;

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ProcessImageBatch> context)
    {
        var message = context.Message;
        // Makes the trace findable by job and batch; the span itself is MassTransit's.
        Activity.Current?.SetTag("dla.job.id", message.JobId.ToString()).SetTag("dla.batch.index", message.BatchIndex).SetTag("dla.batch.dispatch", message.Dispatch);
        if (context.GetRetryAttempt() > 0)
        {
            metrics.Retried();
        }
        try
        {
            await ProcessAsync(context);
        }
        catch (Exception ex)
        {
            metrics.BatchFailed(ex);
            throw;
        }
    }

    private async Task ProcessAsync(ConsumeContext<ProcessImageBatch> context)
    {
        var message = context.Message;
        var clock = Stopwatch.StartNew();
        using var lease = cancellations.Track(message.JobId, context.CancellationToken);
        try
        {
            await ProcessAsync(context, clock, lease);
        }
        finally
        {
            // The heartbeat runs from the batch's start until its outcome is stored (or the attempt failed).
            if (_heartbeat is not null)
            {
                await _heartbeat.DisposeAsync();
                _heartbeat = null;
            }
        }
    }

    private async Task ProcessAsync(ConsumeContext<ProcessImageBatch> context, Stopwatch clock, JobCancellations.JobLease lease)
    {
        var message = context.Message;
        BatchOutcome outcome;
        try
        {
            // The job's state is checked here, before any work (registered first, so a stop committed after
            // this read arrives as an event), and again at every stage through the lease's token.
            var job = await db.Jobs.AsNoTracking().Where(j => j.Id == message.JobId)
                .Select(j => new { j.State, j.CancelRequestedAt, j.EmbeddingDim }).FirstOrDefaultAsync(lease.Token);
            if (job is null || IsStopped(job.State, job.CancelRequestedAt))
            {
                LogSkipped(logger, message.JobId, message.BatchIndex);
                metrics.BatchSkipped();
                return;
            }
            // Recording the start also tells a batch to skip: completed, cancelled, failed, or a stale copy.
            _heartbeat = await leases.StartAsync(message, lease.Token);
            if (_heartbeat is null)
            {
                LogNotOpen(logger, message.JobId, message.BatchIndex, message.Dispatch);
                metrics.BatchSkipped();
                return;
            }
            var session = await sessions.GetAsync(message.Model, lease.Token);
            if (job.EmbeddingDim is null && message.Model.Tasks.HasFlag(JobTasks.Embed) && session.HasEmbedding)
            {
                // The scheduler sizes the job's pgvector index from this.
                await db.Jobs.Where(j => j.Id == message.JobId && j.EmbeddingDim == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.EmbeddingDim, (int?)session.EmbeddingDim), lease.Token);
            }
            using var predicting = DlaTelemetry.ActivitySource.StartActivity("predict batch");
            predicting?.SetTag("dla.batch.images", message.Images.Count);
            outcome = await PredictAsync(message, session, lease.Token);
        }
        catch (OperationCanceledException) when (lease.IsJobCancelled && !context.CancellationToken.IsCancellationRequested)
        {
            if (!await JobStoppedAsync(message.JobId, context.CancellationToken))
            {
                // A stale event (the job failed, then retry-failed resumed it): acknowledging now would
                // leave the batch without an outcome until its lease expires, so fail this attempt and retry.
                throw new BatchInterruptedException($"Batch {message.BatchIndex} of job {message.JobId} was stopped by a cancellation event, but the job is running.");
            }
            LogStopped(logger, message.JobId, message.BatchIndex);
            metrics.BatchStopped();
            return;
        }
        // The writer stores nothing once the job has stopped (cancelled or failed): a cancellation the API
        // acknowledged is never followed by results, even of work that was finished before it.
        var write = Stopwatch.StartNew();
        bool stored;
        using (var writing = DlaTelemetry.ActivitySource.StartActivity("write results"))
        {
            writing?.SetTag("dla.batch.results", outcome.Results.Count).SetTag("dla.batch.errors", outcome.Errors.Count);
            stored = await writer.WriteAsync(outcome, context.CancellationToken);
        }
        if (!stored)
        {
            LogDiscarded(logger, message.JobId, message.BatchIndex);
            metrics.BatchDiscarded();
            return;
        }
        metrics.BatchStored(outcome, clock.Elapsed, write.Elapsed);
        LogStored(logger, message.JobId, message.BatchIndex, outcome.Results.Count, outcome.Errors.Count, clock.Elapsed.TotalSeconds);
        await context.Publish(new ImageBatchProcessed(message.JobId, message.BatchIndex, outcome.Results.Count, outcome.Errors.Count,
            $"{Environment.MachineName}:{Environment.ProcessId}", clock.Elapsed.TotalSeconds), context.CancellationToken);
    }

    /// <summary>True when the job is cancelled, failed or gone.</summary>
    private async Task<bool> JobStoppedAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId)
            .Select(j => new { j.State, j.CancelRequestedAt }).FirstOrDefaultAsync(cancellationToken);
        return job is null || IsStopped(job.State, job.CancelRequestedAt);
    }

    /// <summary>A job whose batches get no more work: cancelled, failed, or with a cancel requested.</summary>
    private static bool IsStopped(JobState state, DateTimeOffset? cancelRequestedAt) =>
        cancelRequestedAt is not null || state is JobState.Cancelled or JobState.Failed;

    private async Task<BatchOutcome> PredictAsync(ProcessImageBatch message, DlaSession session, CancellationToken cancellationToken)
    {
        var classify = message.Model.Tasks.HasFlag(JobTasks.Classify);
        var images = new BatchImages(reader, DatasetLocation.Parse(message.Dataset), message.Images);
        var preprocessor = new ImagePreprocessor(session.Description.Preprocess, ImageDecodeOptions.Default with
        {
            MaxBytes = datasetOptions.Value.MaxImageBytes,
            Mode = message.Model.Decode == "fast" ? DecodeMode.Fast : DecodeMode.Exact,
        });
        var callSize = InferenceCalls.Size(workerOptions.Value.InferenceBatchSize, message.Images.Count, session.Lanes);
        var labels = classify ? await classNames.GetAsync(message.JobId, session.Classes, cancellationToken) : null;
        var predictor = new BatchPredictor(session, preprocessor, new PredictorOptions(
            BatchSize: callSize,
            TopK: classify ? Math.Min(message.Model.TopK, session.Classes) : 0,
            IncludeEmbeddings: message.Model.Tasks.HasFlag(JobTasks.Embed),
            Decoders: decoders,
            Labels: labels), metrics.ForBatch(callSize));
        var results = new List<ImageResult>(message.Images.Count);
        var errors = new List<ImageError>();
        await foreach (var prediction in predictor.PredictAsync(images.Sources, cancellationToken))
        {
            var imageId = BatchImages.ImageIdOf(prediction);
            if (prediction.Succeeded)
            {
                results.Add(BatchOutcomes.Result(message.JobId, imageId, prediction, classify));
            }
            else
            {
                errors.Add(BatchOutcomes.Error(message.JobId, imageId, images.FailureOf(prediction)));
            }
        }
        return new BatchOutcome(message.JobId, message.BatchIndex, results, errors);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipping batch {BatchIndex} of job {JobId} (dispatch {Dispatch}): it is complete, cancelled or failed, or this is a stale copy of an older dispatch")]
    private static partial void LogNotOpen(ILogger logger, Guid jobId, int batchIndex, int dispatch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipping batch {BatchIndex} of job {JobId}: the job is cancelled or unknown")]
    private static partial void LogSkipped(ILogger logger, Guid jobId, int batchIndex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped batch {BatchIndex} of job {JobId}: the job was cancelled")]
    private static partial void LogStopped(ILogger logger, Guid jobId, int batchIndex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discarded batch {BatchIndex} of job {JobId}: the job had ended (cancelled, failed, succeeded or deleted) before its results were stored")]
    private static partial void LogDiscarded(ILogger logger, Guid jobId, int batchIndex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored batch {BatchIndex} of job {JobId}: {Succeeded} results, {Failed} errors in {Seconds:F2} s")]
    private static partial void LogStored(ILogger logger, Guid jobId, int batchIndex, int succeeded, int failed, double seconds);
}

/// <summary>A batch was interrupted by a cancellation event that the database does not confirm; the attempt is retried.</summary>
public sealed class BatchInterruptedException(string message) : Exception(message);
