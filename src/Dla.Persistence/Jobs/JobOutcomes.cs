using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;

namespace Dla.Persistence.Jobs;

/// <summary>
/// A job's outcome counts: images with a result, and images with an error row but no result. While the job runs they
/// are the sums of its batches' counts (<see cref="BatchOutcomeCounts"/>, kept in the transactions that store outcomes);
/// when it reaches a final state they are settled on the job's row (<see cref="Job.SettledSucceeded"/>), because the
/// console's job list asks for every listed job's progress every few seconds.
/// </summary>
public static class JobOutcomes
{
    /// <summary>Counts now, from the job's batches (one row per batch, not per image).</summary>
    public static Task<(long Succeeded, long Failed)> CountAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken) =>
        BatchOutcomeCounts.SumAsync(db, jobId, cancellationToken);

    /// <summary>Images with an error and no result, now.</summary>
    public static async Task<long> CountFailedAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken) =>
        await db.Batches.Where(b => b.JobId == jobId).SumAsync(b => (long)b.FailedImages, cancellationToken);

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
                .SetProperty(j => j.SettledSucceeded, j => db.Batches.Where(b => b.JobId == j.Id).Sum(b => (long)b.SucceededImages))
                .SetProperty(j => j.SettledFailed, j => db.Batches.Where(b => b.JobId == j.Id).Sum(b => (long)b.FailedImages)),
                cancellationToken);
}
