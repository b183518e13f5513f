using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;

namespace Dla.Persistence.Jobs;

/// <summary>
/// A job's outcome counts: images with a result, and images with an error row but no result. Counted live while the
/// job runs; settled on the job's row when it reaches a final state (<see cref="Job.SettledSucceeded"/>), because the
/// count reads every result of the job (about 0.1 s at a million images, SettledProgressBenchmark) and the console's
/// job list asks for every listed job's progress every few seconds.
/// </summary>
public static class JobOutcomes
{
    /// <summary>Counts now, from the result and error rows.</summary>
    public static async Task<(long Succeeded, long Failed)> CountAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken)
    {
        var succeeded = await db.Results.LongCountAsync(r => r.JobId == jobId, cancellationToken);
        return (succeeded, await CountFailedAsync(db, jobId, cancellationToken));
    }

    /// <summary>Images with an error and no result, now: reads the job's errors only, not its results.</summary>
    public static Task<long> CountFailedAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken) =>
        // The writer removes an image's error when it later succeeds; the anti-join keeps the count
        // exact even if both rows briefly coexist.
        db.Errors.LongCountAsync(e => e.JobId == jobId && !db.Results.Any(r => r.JobId == e.JobId && r.ImageId == e.ImageId), cancellationToken);

    /// <summary>The settled counts of a finished job, or the live ones (a running job, or one that ended before counts were kept).</summary>
    public static async Task<(long Succeeded, long Failed)> ReadAsync(DlaDbContext db, Job job, CancellationToken cancellationToken) =>
        job is { SettledSucceeded: { } succeeded, SettledFailed: { } failed } && job.State.IsFinal()
            ? (succeeded, failed)
            : await CountAsync(db, job.Id, cancellationToken);

    /// <summary>
    /// Stores the counts on a job that has just reached a final state. Exact because the result writers' fence
    /// (<see cref="Results.IResultWriter"/>) stores nothing into a succeeded, failed or cancelled job, and the state
    /// change waited for every write that held the fence: this statement, which starts after it, sees all of them.
    /// Conditional on the state still being final, so a job resumed meanwhile keeps counting live.
    /// </summary>
    internal static Task SettleAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken) =>
        db.Jobs.Where(j => j.Id == jobId && JobStates.Final.Contains(j.State))
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.SettledSucceeded, j => db.Results.LongCount(r => r.JobId == j.Id))
                .SetProperty(j => j.SettledFailed, j => db.Errors.LongCount(e => e.JobId == j.Id && !db.Results.Any(r => r.JobId == e.JobId && r.ImageId == e.ImageId))),
                cancellationToken);
}
