using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Progress;

/// <summary>Counts a job's outcomes. Used by the API, the event stream and the completion check alike.</summary>
public sealed class ProgressReader(TimeProvider time)
{
    /// <summary>The window the rate is measured over.</summary>
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    /// <summary>Images with a result, and images with an error row but no result.</summary>
    public static async Task<(long Succeeded, long Failed)> CountOutcomesAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken)
    {
        var succeeded = await db.Results.LongCountAsync(r => r.JobId == jobId, cancellationToken);
        // The writer removes an image's error when it later succeeds; the anti-join keeps the counts
        // exact even if both rows briefly coexist.
        var failed = await db.Errors.LongCountAsync(
            e => e.JobId == jobId && !db.Results.Any(r => r.JobId == e.JobId && r.ImageId == e.ImageId), cancellationToken);
        return (succeeded, failed);
    }

    /// <summary>The progress of <paramref name="job"/> now.</summary>
    public async Task<ProgressReport> ReadAsync(DlaDbContext db, Job job, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (succeeded, failed) = await CountOutcomesAsync(db, job.Id, cancellationToken);
        var failedBatches = await db.Batches.CountAsync(b => b.JobId == job.Id && b.State == BatchState.Failed, cancellationToken);
        var remaining = Math.Max(0, job.ListedImages - succeeded - failed);
        var rate = await RateAsync(db, job, now, cancellationToken);
        double? eta = rate > 0 && !IsFinal(job.State) ? remaining / rate : null;
        return new ProgressReport(job.Id, job.State, job.ListedImages, job.ListingComplete, succeeded, failed, remaining,
            rate, eta, job.PlannedBatches, failedBatches, job.FailureReason, now);
    }

    private static async Task<double> RateAsync(DlaDbContext db, Job job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (job.StartedAt is not { } started || IsFinal(job.State))
        {
            return 0;
        }
        var since = started > now - RateWindow ? started : now - RateWindow;
        var seconds = (now - since).TotalSeconds;
        if (seconds < 1)
        {
            return 0;
        }
        // From the batches completed in the window, not the result rows written in it: the results have no index on their
        // time, so counting them read every row of the job, 10 ms per call at 10,000 images and linear in the job (the
        // embedded run's progress bar asks twice a second). A batch completes in the transaction that stores its outcomes.
        var recent = await db.Batches
            .Where(b => b.JobId == job.Id && b.State == BatchState.Completed && b.CompletedAt >= since)
            .SumAsync(b => (long)b.ImageCount, cancellationToken);
        return recent / seconds;
    }

    private static bool IsFinal(JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}
