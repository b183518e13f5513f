using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;

namespace Dla.Persistence.Jobs;

/// <summary>
/// Every change of a job's state, each one conditional on the state it leaves, so a job finishes, fails or
/// is cancelled exactly once however the scheduler's replicas and the API race (docs/lifecycle.md):
/// <code>
/// pending ─start─► running ─finish─► succeeded | failed ─resume─► running
/// pending | running ─cancel─► cancelled
/// succeeded | failed | cancelled ─delete─► deleting ─purged─► (no row)
/// </code>
/// </summary>
public static class JobTransitions
{
    /// <summary>pending → running: planning started.</summary>
    public static async Task<bool> StartAsync(DlaDbContext db, Guid jobId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.Jobs.Where(j => j.Id == jobId && j.State == JobState.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Running).SetProperty(j => j.StartedAt, now), cancellationToken) > 0;

    /// <summary>running → <paramref name="state"/> (succeeded or failed, with the reason); the outcome counts are settled.</summary>
    public static async Task<bool> FinishAsync(DlaDbContext db, Guid jobId, JobState state, string? reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (state is not (JobState.Succeeded or JobState.Failed))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "A running job finishes as succeeded or failed.");
        }
        if (await db.Jobs.Where(j => j.Id == jobId && j.State == JobState.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, state).SetProperty(j => j.FailureReason, reason).SetProperty(j => j.FinishedAt, now), cancellationToken) == 0)
        {
            return false;
        }
        // A separate statement after the transition, so that it counts every write the transition waited for.
        await JobOutcomes.SettleAsync(db, jobId, cancellationToken);
        return true;
    }

    /// <summary>pending | running → cancelled, at the user's request; the outcome counts are settled.</summary>
    public static async Task<bool> CancelAsync(DlaDbContext db, Guid jobId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await db.Jobs.Where(j => j.Id == jobId && (j.State == JobState.Pending || j.State == JobState.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Cancelled).SetProperty(j => j.CancelRequestedAt, now).SetProperty(j => j.FinishedAt, now), cancellationToken) == 0)
        {
            return false;
        }
        await JobOutcomes.SettleAsync(db, jobId, cancellationToken);
        return true;
    }

    /// <summary>A pending or running job's priority (its weight in the fair share).</summary>
    public static async Task<bool> SetPriorityAsync(DlaDbContext db, Guid jobId, int priority, CancellationToken cancellationToken) =>
        await db.Jobs.Where(j => j.Id == jobId && (j.State == JobState.Pending || j.State == JobState.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Priority, priority), cancellationToken) > 0;

    /// <summary>
    /// running | succeeded | failed → running: retry-failed re-planned work, or <c>dla run</c> resumes a failed job whose
    /// batches are all re-planned. The reason, the end time and the settled outcome counts are cleared.
    /// </summary>
    public static async Task<bool> ResumeAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken) =>
        await db.Jobs.Where(j => j.Id == jobId && (j.State == JobState.Running || j.State == JobState.Succeeded || j.State == JobState.Failed))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Running).SetProperty(j => j.FailureReason, (string?)null)
                .SetProperty(j => j.FinishedAt, (DateTimeOffset?)null)
                .SetProperty(j => j.SettledSucceeded, (long?)null).SetProperty(j => j.SettledFailed, (long?)null), cancellationToken) > 0;

    /// <summary>
    /// succeeded | failed | cancelled → deleting (a running job is cancelled first, so its workers stop). From here
    /// the API answers 404 and result writers store nothing (their fence refuses the state).
    /// </summary>
    public static async Task<bool> DeleteAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken) =>
        await db.Jobs.Where(j => j.Id == jobId && JobStates.Final.Contains(j.State))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Deleting), cancellationToken) > 0;

    /// <summary>Retention: every job that finished before <paramref name="cutoff"/> → deleting; returns how many.</summary>
    public static async Task<int> DeleteFinishedBeforeAsync(DlaDbContext db, DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        await db.Jobs.Where(j => JobStates.Final.Contains(j.State) && j.FinishedAt < cutoff)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Deleting), cancellationToken);
}
