using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Jobs;

/// <summary>The "retry failed" transaction: failed batches and transiently failed images are planned again.</summary>
internal static class FailedWorkRetry
{
    /// <summary>Error kinds that may succeed on a second try; decoding errors (unreadable, truncated, ...) would not.</summary>
    public static readonly string[] RetryableKinds = ["read_failed", "timeout"];

    public static async Task<RetryOutcome> RunAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var job = await db.Jobs.FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken) ?? throw new JobNotFoundException(jobId);
        if (job.State is JobState.Pending or JobState.Cancelled)
        {
            throw new JobStateException($"Job {jobId} is {job.State.ToString().ToLowerInvariant()}; only running, failed or succeeded jobs can retry failed work. A pending job has not run yet (wait for it); a cancelled one is over (submit the dataset again).");
        }
        if (!job.ListingComplete)
        {
            // New batches take the next batch indexes, which the planner still owns while listing.
            throw new JobStateException($"Job {jobId} is still listing its dataset; retry failed work once listing is complete.");
        }
        var failedBatches = await BatchTransitions.ReplanFailedAsync(db, jobId, cancellationToken);
        var retryable = await db.Images
            .Where(i => i.JobId == jobId && db.Errors.Any(e => e.JobId == jobId && e.ImageId == i.ImageId && RetryableKinds.Contains(e.Kind)))
            .OrderBy(i => i.ImageId)
            .ToListAsync(cancellationToken);
        // The batches the images leave; their counts lose them (the new batches start at zero: no outcome yet).
        var leftBatches = retryable.Select(i => i.BatchIndex).Distinct().ToList();
        var newBatches = 0;
        foreach (var chunk in retryable.Chunk(job.BatchSize))
        {
            var index = job.PlannedBatches++;
            db.Batches.Add(new Batch { JobId = jobId, BatchIndex = index, ImageCount = chunk.Length, State = BatchState.Planned });
            foreach (var image in chunk)
            {
                image.BatchIndex = index;
            }
            newBatches++;
        }
        if (failedBatches == 0 && retryable.Count == 0)
        {
            throw new JobStateException($"Job {jobId} has no failed batches and no images with a retryable error ({string.Join(", ", RetryableKinds)}), so there is nothing to retry. Its other errors are in the files themselves (GET /jobs/{jobId}/errors): fix them and submit the dataset again.");
        }
        await db.Errors.Where(e => e.JobId == jobId && RetryableKinds.Contains(e.Kind)).ExecuteDeleteAsync(cancellationToken);
        await JobTransitions.ResumeAsync(db, jobId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await BatchOutcomeCounts.RecountAsync(db, jobId, leftBatches, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RetryOutcome(failedBatches, retryable.Count, newBatches);
    }
}
