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
/// One dispatch round over the outbox (the batch table): publishes planned batches and batches whose
/// lease expired, of running jobs, and records the dispatch.
/// </summary>
/// <remarks>
/// Each batch is published before its dispatch is recorded. A crash between the two, or a worker
/// completing the batch meanwhile, therefore yields a duplicate message, never a lost one; duplicates
/// are harmless because results are upserted by (job, image). The opposite order would turn a failed
/// publish into a wait of a whole lease. The record is a conditional update on the state that was read,
/// so it never overwrites a completion that raced with it.
/// <para>Each publish runs in a <c>dispatch batch</c> span of its own, the root of the batch's trace:
/// MassTransit carries the trace context in the message headers to the worker's consume span.</para>
/// </remarks>
public sealed class BatchDispatch(IDlaDbContextFactory databases, IOptions<DispatchOptions> options, TimeProvider time, SchedulerMetrics metrics)
{
    /// <summary>Batches handled per round, bounding the round's memory and duration.</summary>
    public const int RoundLimit = 256;

    /// <summary>Runs one round; returns the number of batches published.</summary>
    public async Task<int> RunAsync(IPublishEndpoint publisher, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        await using var db = await databases.CreateAsync(cancellationToken);
        var due = await (
                from b in db.Batches
                join j in db.Jobs on b.JobId equals j.Id
                where j.State == JobState.Running && j.CancelRequestedAt == null
                      && (b.State == BatchState.Planned || (b.State == BatchState.Dispatched && b.LeaseUntil < now))
                orderby j.CreatedAt, b.JobId, b.BatchIndex
                select new { Batch = b, Job = j })
            .AsNoTracking().Take(RoundLimit).ToListAsync(cancellationToken);
        var published = 0;
        foreach (var group in due.GroupBy(d => d.Job.Id))
        {
            var job = group.First().Job;
            var batches = group.Select(d => d.Batch).ToList();
            var exhausted = batches.Where(b => b.State == BatchState.Dispatched && b.Dispatches >= settings.MaxDispatches).ToList();
            foreach (var batch in exhausted)
            {
                var reason = $"No outcome after {batch.Dispatches} dispatches of {settings.LeaseSeconds} s each (Scheduler:MaxDispatches).";
                var failed = await db.Batches.Where(b => b.JobId == batch.JobId && b.BatchIndex == batch.BatchIndex && b.State == BatchState.Dispatched && b.Dispatches == batch.Dispatches)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.State, BatchState.Failed).SetProperty(b => b.LastError, reason), cancellationToken);
                if (failed > 0)
                {
                    metrics.BatchFailed("lease_exhausted");
                }
            }
            var toPublish = batches.Except(exhausted).ToList();
            var messages = await MessagesAsync(db, job, toPublish, cancellationToken);
            var expired = toPublish.Where(b => b.State == BatchState.Dispatched).Select(b => b.BatchIndex).ToHashSet();
            await Task.WhenAll(messages.Select(m => PublishAsync(publisher, m, expired.Contains(m.BatchIndex), cancellationToken)));
            var leaseUntil = now.AddSeconds(settings.LeaseSeconds);
            foreach (var batch in toPublish)
            {
                await db.Batches.Where(b => b.JobId == batch.JobId && b.BatchIndex == batch.BatchIndex && b.State == batch.State && b.Dispatches == batch.Dispatches)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.State, BatchState.Dispatched).SetProperty(b => b.Dispatches, batch.Dispatches + 1)
                        .SetProperty(b => b.DispatchedAt, now).SetProperty(b => b.LeaseUntil, leaseUntil), cancellationToken);
            }
            published += messages.Count;
        }
        return published;
    }

    private async Task PublishAsync(IPublishEndpoint publisher, ProcessImageBatch message, bool leaseExpired, CancellationToken cancellationToken)
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
        metrics.Dispatched(leaseExpired);
    }

    private static async Task<List<ProcessImageBatch>> MessagesAsync(DlaDbContext db, Job job, List<Batch> batches, CancellationToken cancellationToken)
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
        return batches.Select(b => new ProcessImageBatch(job.Id, b.BatchIndex, b.Dispatches + 1, job.Dataset, model, byBatch[b.BatchIndex].ToList())).ToList();
    }
}
