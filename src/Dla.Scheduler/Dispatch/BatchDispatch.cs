using Dla.Contracts;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Telemetry;
using Dla.ServiceDefaults.Telemetry;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.Dispatch;

/// <summary>
/// One dispatch round over the outbox (the batch table), on the leader: requeues batches whose worker
/// stopped heartbeating (or fails them after <see cref="DispatchOptions.MaxDispatches"/>), republishes a
/// queued batch presumed lost, then fills the queue up to <see cref="DispatchOptions.MaxQueuedBatches"/>
/// with planned batches, chosen by <see cref="FairShare"/> between the running jobs.
/// </summary>
/// <remarks>
/// Each batch is published before its dispatch is recorded. A crash between the two, or a worker
/// completing the batch meanwhile, therefore yields a duplicate message, never a lost one; the worker
/// recognises a duplicate (its dispatch number is not the batch's, or the batch is no longer open) and
/// skips it. The opposite order would turn a failed publish into a batch queued forever. Every record is a
/// conditional update on the state that was read (<see cref="BatchTransitions"/>), so it never overwrites
/// a completion that raced with it.
/// <para>Each publish runs in a <c>dispatch batch</c> span of its own, the root of the batch's trace:
/// MassTransit carries the trace context in the message headers to the worker's consume span.</para>
/// </remarks>
public sealed class BatchDispatch(IDlaDbContextFactory databases, FairShare share, IOptions<DispatchOptions> options, TimeProvider time, SchedulerMetrics metrics)
{
    /// <summary>Batches requeued or republished per round, bounding the round's memory and duration.</summary>
    public const int RoundLimit = 256;

    /// <summary>Runs one round; returns the number of batches published.</summary>
    public async Task<int> RunAsync(IPublishEndpoint publisher, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        await using var db = await databases.CreateAsync(cancellationToken);
        var jobs = await db.Jobs.AsNoTracking().Where(j => j.State == JobState.Running && j.CancelRequestedAt == null).ToDictionaryAsync(j => j.Id, cancellationToken);
        if (jobs.Count == 0)
        {
            return 0;
        }
        var running = jobs.Keys.ToList();
        var picks = new List<(Batch Batch, DispatchReason Reason)>();
        picks.AddRange((await LostAsync(db, running, now, settings, cancellationToken)).Select(b => (b, DispatchReason.LeaseExpired)));
        var queueTimeout = now.AddSeconds(-settings.QueuedRepublishSeconds);
        picks.AddRange((await db.Batches.AsNoTracking()
                .Where(b => b.State == BatchState.Queued && b.DispatchedAt < queueTimeout && running.Contains(b.JobId))
                .OrderBy(b => b.DispatchedAt).Take(RoundLimit).ToListAsync(cancellationToken))
            .Select(b => (b, DispatchReason.QueueTimeout)));
        var queued = await db.Batches.CountAsync(b => b.State == BatchState.Queued, cancellationToken);
        // A requeued lost batch takes a queue slot too; a republished one already holds its own.
        var free = await QueueLengthAsync(db, now, settings, cancellationToken) - queued - picks.Count(p => p.Reason == DispatchReason.LeaseExpired);
        if (free > 0)
        {
            picks.AddRange((await FairShareAsync(db, jobs, free, cancellationToken)).Select(b => (b, DispatchReason.Planned)));
        }
        var published = 0;
        foreach (var group in picks.GroupBy(p => p.Batch.JobId))
        {
            var batches = group.ToList();
            var messages = await MessagesAsync(db, jobs[group.Key], batches.Select(b => b.Batch).ToList(), settings.LeaseSeconds, cancellationToken);
            await Task.WhenAll(messages.Zip(batches).Select(m => PublishAsync(publisher, m.First, m.Second.Reason, cancellationToken)));
            foreach (var (batch, _) in batches)
            {
                await BatchTransitions.QueueAsync(db, batch, now, cancellationToken);
            }
            published += messages.Count;
        }
        return published;
    }

    /// <summary>
    /// How many batches the queue may hold now: <see cref="DispatchOptions.QueuedBatchesPerWorker"/> per busy worker
    /// (one holding a started batch with a live lease) plus one worker's worth, at most MaxQueuedBatches. An idle
    /// pool thus gets a few batches, the workers that take them make room for more, and the queue grows with
    /// the pool within a few rounds.
    /// </summary>
    private static async Task<int> QueueLengthAsync(DlaDbContext db, DateTimeOffset now, DispatchOptions settings, CancellationToken cancellationToken)
    {
        if (settings.QueuedBatchesPerWorker == 0)
        {
            return settings.MaxQueuedBatches;
        }
        var busy = await db.Batches.Where(b => b.State == BatchState.Started && b.LeaseUntil >= now).Select(b => b.Worker).Distinct().CountAsync(cancellationToken);
        return (int)Math.Min(settings.MaxQueuedBatches, (long)settings.QueuedBatchesPerWorker * (busy + 1));
    }

    /// <summary>
    /// Started batches of running jobs whose worker stopped heartbeating: those dispatched fewer than
    /// MaxDispatches times are returned to be published again; the others fail.
    /// </summary>
    private async Task<List<Batch>> LostAsync(DlaDbContext db, List<Guid> running, DateTimeOffset now, DispatchOptions settings, CancellationToken cancellationToken)
    {
        var lost = await db.Batches.AsNoTracking()
            .Where(b => b.State == BatchState.Started && b.LeaseUntil < now && running.Contains(b.JobId))
            .OrderBy(b => b.LeaseUntil).Take(RoundLimit).ToListAsync(cancellationToken);
        foreach (var batch in lost.Where(b => b.Dispatches >= settings.MaxDispatches))
        {
            var reason = $"Its worker stopped heartbeating on each of {batch.Dispatches} dispatches (last: {batch.Worker}; Scheduler:LeaseSeconds {settings.LeaseSeconds}, Scheduler:MaxDispatches {settings.MaxDispatches}).";
            if (await BatchTransitions.FailLostAsync(db, batch, reason, cancellationToken))
            {
                metrics.BatchFailed("lease_exhausted");
            }
        }
        return lost.Where(b => b.Dispatches < settings.MaxDispatches).ToList();
    }

    /// <summary>Up to <paramref name="slots"/> planned batches, each slot given by <see cref="FairShare"/>.</summary>
    private async Task<List<Batch>> FairShareAsync(DlaDbContext db, Dictionary<Guid, Job> jobs, int slots, CancellationToken cancellationToken)
    {
        // Each job's next planned batches in batch order; no job can take more than every slot.
        var planned = new Dictionary<Guid, Queue<Batch>>();
        foreach (var id in jobs.Keys)
        {
            planned[id] = new Queue<Batch>(await db.Batches.AsNoTracking()
                .Where(b => b.JobId == id && b.State == BatchState.Planned).OrderBy(b => b.BatchIndex).Take(slots)
                .ToListAsync(cancellationToken));
        }
        return share.Pick(jobs.Values.Select(j => new FairShare.Tenant(j.Id, j.Priority, j.CreatedAt)).ToList(), slots,
            id => planned[id].TryDequeue(out var batch) ? batch : null, b => b.ImageCount, id => planned[id].Count > 0);
    }

    private async Task PublishAsync(IPublishEndpoint publisher, ProcessImageBatch message, DispatchReason reason, CancellationToken cancellationToken)
    {
        // The dispatcher's loop has no request to belong to, so each batch dispatch starts a trace of its own.
        using var activity = DlaTelemetry.ActivitySource.StartActivity("dispatch batch");
        activity?.SetTag("dla.job.id", message.JobId.ToString()).SetTag("dla.batch.index", message.BatchIndex)
            .SetTag("dla.batch.dispatch", message.Dispatch).SetTag("dla.batch.images", message.Images.Count);
        try
        {
            await publisher.Publish(message, cancellationToken);
        }
        catch (Exception ex)
        {
            DlaTelemetry.Failed(activity, ex);
            throw;
        }
        metrics.Dispatched(reason);
    }

    private static async Task<List<ProcessImageBatch>> MessagesAsync(DlaDbContext db, Job job, List<Batch> batches, int leaseSeconds, CancellationToken cancellationToken)
    {
        if (batches.Count == 0)
        {
            return [];
        }
        var indexes = batches.Select(b => b.BatchIndex).ToList();
        var images = await db.Images.AsNoTracking()
            .Where(i => i.JobId == job.Id && indexes.Contains(i.BatchIndex))
            .OrderBy(i => i.ImageId)
            .Select(i => new { i.BatchIndex, i.ImageId, i.Path })
            .ToListAsync(cancellationToken);
        var byBatch = images.ToLookup(i => i.BatchIndex, i => new ImageRef(i.ImageId, i.Path));
        var model = job.ModelSpec();
        return batches.Select(b => new ProcessImageBatch(job.Id, b.BatchIndex, b.Dispatches + 1, job.Dataset, model, byBatch[b.BatchIndex].ToList(), leaseSeconds)).ToList();
    }
}
