using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;

namespace Dla.Persistence.Jobs;

/// <summary>
/// Every change of a batch's state, each one conditional on the state it leaves, so two actors racing
/// (a dispatcher and a worker, two workers, a late fault and a retry) never overwrite each other: the
/// loser's update matches no row. Callers use these and nothing else (state diagram: docs/lifecycle.md).
/// <code>
/// planned ─queue─► queued ─start─► started ⟲ heartbeat ─complete─► completed
///    ▲               │  ▲            │ └─lease lost─► (requeue) queued, or failed after MaxDispatches
///    └─retry-failed──┼──┼── failed ◄─┴─fault
///                    └──┴─ republish (a queued message presumed lost)
/// planned | queued | started ─cancel─► cancelled
/// </code>
/// </summary>
public static class BatchTransitions
{
    /// <summary>States in which a batch still needs work.</summary>
    public static readonly BatchState[] Open = [BatchState.Planned, BatchState.Queued, BatchState.Started];

    /// <summary>
    /// planned (or queued, or lost by its worker) → queued: the batch was published as dispatch
    /// <c>dispatches + 1</c>. Conditional on the state and dispatch count that were read.
    /// </summary>
    public static async Task<bool> QueueAsync(DlaDbContext db, Batch read, DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.Batches.Where(b => b.JobId == read.JobId && b.BatchIndex == read.BatchIndex && b.State == read.State && b.Dispatches == read.Dispatches)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.State, BatchState.Queued).SetProperty(b => b.Dispatches, read.Dispatches + 1)
                .SetProperty(b => b.DispatchedAt, now).SetProperty(b => b.LeaseUntil, (DateTimeOffset?)null), cancellationToken) > 0;

    /// <summary>
    /// queued → started by a worker, with a lease of <paramref name="lease"/>. Only for the current dispatch: a
    /// stale copy (an older dispatch) or a batch already completed, failed or cancelled is not started,
    /// and the worker acknowledges it without work. A started batch of the same dispatch may be started
    /// again: the broker redelivers a message only when its consumer is gone, and in-process retries restart it.
    /// <para>The dispatcher publishes before it records the dispatch (a crash in between must leave a duplicate,
    /// never a lost batch), so a fast worker can receive dispatch n + 1 while the batch still shows n: that is
    /// the dispatch just published (only the dispatcher numbers dispatches), and the start records it. The
    /// dispatcher's own record then finds the batch moved on and changes nothing.</para>
    /// </summary>
    public static async Task<bool> StartAsync(DlaDbContext db, Guid jobId, int batchIndex, int dispatch, string worker, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        await db.Batches.Where(b => b.JobId == jobId && b.BatchIndex == batchIndex
                                    && ((b.Dispatches == dispatch && (b.State == BatchState.Queued || b.State == BatchState.Started))
                                        || (b.Dispatches == dispatch - 1 && (b.State == BatchState.Planned || b.State == BatchState.Queued || b.State == BatchState.Started))))
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.State, BatchState.Started).SetProperty(b => b.Dispatches, dispatch).SetProperty(b => b.StartedAt, now)
                .SetProperty(b => b.Worker, worker).SetProperty(b => b.LeaseUntil, now + lease), cancellationToken) > 0;

    /// <summary>started → started: the worker is alive; the lease runs until <paramref name="now"/> + <paramref name="lease"/>.</summary>
    /// <returns>False when the batch is no longer this worker's (completed, requeued, cancelled).</returns>
    public static async Task<bool> HeartbeatAsync(DlaDbContext db, Guid jobId, int batchIndex, int dispatch, string worker, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        await db.Batches.Where(b => b.JobId == jobId && b.BatchIndex == batchIndex && b.Dispatches == dispatch && b.State == BatchState.Started && b.Worker == worker)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.LeaseUntil, now + lease), cancellationToken) > 0;

    /// <summary>
    /// planned | queued | started | failed → completed. Whichever state a late worker finds its batch in
    /// (requeued after a missed heartbeat, or failed meanwhile), its outcomes are stored, so the batch is
    /// complete. A cancelled job's batches never get here: the writers store nothing for a stopped job.
    /// </summary>
    private static readonly BatchState[] Completable = [BatchState.Planned, BatchState.Queued, BatchState.Started, BatchState.Failed];

    /// <summary>
    /// The completion as SQL for the result writers, which run it in the transaction that stores the outcomes;
    /// <paramref name="job"/>, <paramref name="batch"/> and <paramref name="now"/> are the writer's parameter placeholders.
    /// </summary>
    public static string CompleteSql(string job, string batch, string now) =>
        $"""UPDATE batches SET state = '{BatchState.Completed}', completed_at = {now}, lease_until = NULL WHERE job_id = {job} AND batch_index = {batch} AND state IN ({string.Join(", ", Completable.Select(c => $"'{c}'"))})""";

    /// <summary>The completion through EF, for callers outside a writer's transaction (tests standing in for workers).</summary>
    public static async Task<bool> CompleteAsync(DlaDbContext db, Guid jobId, int batchIndex, DateTimeOffset now, CancellationToken cancellationToken) =>
        await db.Batches.Where(b => b.JobId == jobId && b.BatchIndex == batchIndex && Completable.Contains(b.State))
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.State, BatchState.Completed).SetProperty(b => b.CompletedAt, now)
                .SetProperty(b => b.LeaseUntil, (DateTimeOffset?)null), cancellationToken) > 0;

    /// <summary>queued | started → failed: dispatch <paramref name="dispatch"/> ended in a fault (its retries exhausted).</summary>
    public static async Task<bool> FailAsync(DlaDbContext db, Guid jobId, int batchIndex, int dispatch, string error, CancellationToken cancellationToken) =>
        await db.Batches.Where(b => b.JobId == jobId && b.BatchIndex == batchIndex && b.Dispatches == dispatch
                                    && (b.State == BatchState.Queued || b.State == BatchState.Started))
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.State, BatchState.Failed).SetProperty(b => b.LastError, error).SetProperty(b => b.LeaseUntil, (DateTimeOffset?)null), cancellationToken) > 0;

    /// <summary>started → failed: its worker stopped heartbeating, for the last allowed time.</summary>
    public static async Task<bool> FailLostAsync(DlaDbContext db, Batch read, string reason, CancellationToken cancellationToken) =>
        await db.Batches.Where(b => b.JobId == read.JobId && b.BatchIndex == read.BatchIndex && b.State == BatchState.Started && b.Dispatches == read.Dispatches
                                    && b.LeaseUntil == read.LeaseUntil)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.State, BatchState.Failed).SetProperty(b => b.LastError, reason).SetProperty(b => b.LeaseUntil, (DateTimeOffset?)null), cancellationToken) > 0;

    /// <summary>planned | queued | started → cancelled: the job was cancelled or failed.</summary>
    public static Task<int> CancelOpenAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken) =>
        db.Batches.Where(b => b.JobId == jobId && (b.State == BatchState.Planned || b.State == BatchState.Queued || b.State == BatchState.Started))
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.State, BatchState.Cancelled).SetProperty(b => b.LeaseUntil, (DateTimeOffset?)null), cancellationToken);

    /// <summary>failed → planned: "retry failed". The dispatch count is kept, so a late fault of an old dispatch cannot fail it again.</summary>
    public static Task<int> ReplanFailedAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken) =>
        db.Batches.Where(b => b.JobId == jobId && b.State == BatchState.Failed)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.State, BatchState.Planned).SetProperty(b => b.LeaseUntil, (DateTimeOffset?)null), cancellationToken);

    /// <summary>
    /// queued | started → planned, for the embedded runner when it starts: the process that published or ran
    /// them is gone (it was the only worker), and its in-memory queue with it.
    /// </summary>
    public static Task<int> ReplanInFlightAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken) =>
        db.Batches.Where(b => b.JobId == jobId && (b.State == BatchState.Queued || b.State == BatchState.Started))
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.State, BatchState.Planned).SetProperty(b => b.LeaseUntil, (DateTimeOffset?)null), cancellationToken);
}
