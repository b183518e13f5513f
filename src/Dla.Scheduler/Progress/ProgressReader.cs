using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Progress;

/// <summary>A job's progress: its outcomes (<see cref="JobOutcomes"/>), failed batches and rate. Used by the API and the event stream.</summary>
public sealed class ProgressReader(TimeProvider time)
{
    /// <summary>The window the rate is measured over.</summary>
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    /// <summary>The progress of <paramref name="job"/> now.</summary>
    public async Task<ProgressReport> ReadAsync(DlaDbContext db, Job job, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (succeeded, failed) = await JobOutcomes.ReadAsync(db, job, cancellationToken);
        var failedBatches = await db.Batches.CountAsync(b => b.JobId == job.Id && b.State == BatchState.Failed, cancellationToken);
        var remaining = Math.Max(0, job.ListedImages - succeeded - failed);
        var rate = await RateAsync(db, job, now, cancellationToken);
        double? eta = rate > 0 && !job.State.IsFinal() ? remaining / rate : null;
        return new ProgressReport(job.Id, job.State, job.ListedImages, job.ListingComplete, succeeded, failed, remaining,
            rate, eta, job.PlannedBatches, failedBatches, job.FailureReason, now);
    }

    private static async Task<double> RateAsync(DlaDbContext db, Job job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (job.StartedAt is not { } started || job.State.IsFinal())
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
}
