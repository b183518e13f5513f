using Dla.Contracts;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Search;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Completion;

/// <summary>
/// Decides, from the database alone, whether a running job is finished: failed when failures exceed
/// its thresholds (checked after every batch), succeeded when listing is complete and every manifest
/// image has a result or an error, failed when only failed batches are left. Idempotent and safe to
/// run at any time and from several places (events, the periodic check): each transition is a
/// conditional update from <see cref="JobState.Running"/>.
/// </summary>
public sealed partial class JobCompletion(
    IDlaDbContextFactory databases,
    IPublishEndpoint publisher,
    SearchIndexBuilder searchIndexes,
    TimeProvider time,
    ILogger<JobCompletion> logger)
{
    /// <summary>Checks every running job whose listing is complete.</summary>
    public async Task CheckRunningJobsAsync(CancellationToken cancellationToken)
    {
        List<Guid> running;
        await using (var db = await databases.CreateAsync(cancellationToken))
        {
            running = await db.Jobs.Where(j => j.State == JobState.Running).Select(j => j.Id).ToListAsync(cancellationToken);
        }
        foreach (var jobId in running)
        {
            await CheckAsync(jobId, cancellationToken);
        }
    }

    /// <summary>Finishes <paramref name="jobId"/> if it is running and done; returns its state afterwards (null if unknown).</summary>
    public async Task<JobState?> CheckAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        if (job is not { State: JobState.Running })
        {
            return job?.State;
        }
        // A batch's outcomes are stored in the transaction that completes it, so while a batch is open the job cannot
        // be done, and only a failure threshold could end it. This one indexed probe saves reading every outcome of the job
        // after every batch (which grows with the job: quadratic over a job of millions of images).
        var open = await db.Batches.AnyAsync(b => b.JobId == jobId && BatchTransitions.Open.Contains(b.State), cancellationToken);
        if (CouldFailNow(job))
        {
            // Failures alone (a sum over the batches' counts, ≈ 10 ms at 31,250 batches): every outcome is only needed once
            // no batch is open.
            if (ThresholdExceeded(job, await JobOutcomes.CountFailedAsync(db, jobId, cancellationToken)) is { } early)
            {
                return await FinishAsync(db, job, JobState.Failed, early, cancellationToken);
            }
        }
        if (open || !job.ListingComplete)
        {
            return JobState.Running;
        }
        var (succeeded, failed) = await JobOutcomes.CountAsync(db, jobId, cancellationToken);
        if (ThresholdExceeded(job, failed) is { } reason)
        {
            return await FinishAsync(db, job, JobState.Failed, reason, cancellationToken);
        }
        if (succeeded + failed >= job.ListedImages)
        {
            return await FinishAsync(db, job, JobState.Succeeded, null, cancellationToken);
        }
        var unfinished = await db.Batches.CountAsync(b => b.JobId == jobId && BatchTransitions.Open.Contains(b.State), cancellationToken);
        var failedBatches = await db.Batches.CountAsync(b => b.JobId == jobId && b.State == BatchState.Failed, cancellationToken);
        if (unfinished == 0 && failedBatches > 0)
        {
            return await FinishAsync(db, job, JobState.Failed, $"{failedBatches} batches failed; run retry-failed", cancellationToken);
        }
        return JobState.Running;
    }

    /// <summary>True when <see cref="ThresholdExceeded"/> may fail the job now, so its failures must be counted.</summary>
    private static bool CouldFailNow(Job job) =>
        job.MaxFailedImages is not null || (job.MaxFailedPercent is not null && job.ListingComplete);

    /// <summary>
    /// The count limit applies at once; the percentage applies to the final total, so it is judged once
    /// listing is complete (a share of a still-growing total would fail jobs on their first bad batch).
    /// </summary>
    private static string? ThresholdExceeded(Job job, long failed)
    {
        if (job.MaxFailedImages is { } maxImages && failed > maxImages)
        {
            return $"{failed} images failed, more than max_failed_images ({maxImages})";
        }
        if (job.MaxFailedPercent is { } maxPercent && job.ListingComplete && job.ListedImages > 0 && failed * 100.0 / job.ListedImages > maxPercent)
        {
            return $"{failed} of {job.ListedImages} images failed ({failed * 100.0 / job.ListedImages:0.##} %), more than max_failed_percent ({maxPercent} %)";
        }
        return null;
    }

    private async Task<JobState> FinishAsync(DlaDbContext db, Job job, JobState state, string? reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // The job's final state and the cancellation of its unfinished batches commit together, so no
        // reader (or crash) ever sees a failed job that still has work queued.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await JobTransitions.FinishAsync(db, job.Id, state, reason, now, cancellationToken))
        {
            return await db.Jobs.Where(j => j.Id == job.Id).Select(j => j.State).FirstAsync(cancellationToken);
        }
        if (state == JobState.Failed)
        {
            // Stop the work still queued or in flight; what is stored stays.
            await BatchTransitions.CancelOpenAsync(db, job.Id, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        LogFinished(job.Id, state, reason);
        if (state == JobState.Failed)
        {
            await publisher.Publish(new JobCancellationRequested(job.Id), cancellationToken);
        }
        else if (job.Tasks.HasFlag(JobTasks.Embed))
        {
            searchIndexes.Enqueue(job.Id);
        }
        return state;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} finished: {State} {Reason}")]
    private partial void LogFinished(Guid jobId, JobState state, string? reason);
}
