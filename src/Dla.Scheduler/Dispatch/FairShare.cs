namespace Dla.Scheduler.Dispatch;

/// <summary>
/// Weighted fair share of the queue's free slots between running jobs (docs/scheduling.md): start-time fair
/// queuing. Each job has a virtual time that advances by <c>images / priority</c> with every batch it is given;
/// each free slot goes to the job with work planned and the lowest virtual time (the older job on a tie). A job
/// that starts, or has work again after having none, starts at the lowest virtual time of the jobs with work,
/// so it is served at once but gets no credit for the time it had nothing to do.
/// <para>So over any stretch where two jobs both have work, they are given images in the ratio of their
/// priorities, whatever the batch sizes and however fast the workers drain the queue; a small job behind a
/// huge one gets the next free slots; no job with work ever gets none. A priority change applies from the next
/// slot. The state lives in the leading scheduler's memory: a new leader starts everyone level, which costs
/// at most one round's unevenness.</para>
/// </summary>
public sealed class FairShare
{
    private readonly Dictionary<Guid, double> _virtualTime = [];
    private readonly Lock _lock = new();

    /// <summary>A running job as fair share sees it.</summary>
    public sealed record Tenant(Guid JobId, int Priority, DateTimeOffset CreatedAt);

    /// <summary>
    /// Gives up to <paramref name="slots"/> slots among <paramref name="running"/>; <paramref name="nextBatch"/> hands out a
    /// job's next planned batch (null: none left), <paramref name="images"/> tells a batch's size.
    /// </summary>
    public List<T> Pick<T>(IReadOnlyCollection<Tenant> running, int slots, Func<Guid, T?> nextBatch, Func<T, int> images, Func<Guid, bool> hasWork)
        where T : class
    {
        lock (_lock)
        {
            Forget(running);
            var active = running.Where(t => hasWork(t.JobId)).ToList();
            var picks = new List<T>(Math.Max(0, slots));
            if (active.Count == 0 || slots <= 0)
            {
                return picks;
            }
            var known = active.Where(t => _virtualTime.ContainsKey(t.JobId)).Select(t => _virtualTime[t.JobId]).ToList();
            var floor = known.Count > 0 ? known.Min() : 0;
            var queue = new PriorityQueue<Tenant, (double, DateTimeOffset, Guid)>();
            foreach (var tenant in active)
            {
                // A job that is new, or has work again, starts level with the least-served job that has work.
                var time = Math.Max(_virtualTime.GetValueOrDefault(tenant.JobId, floor), floor);
                _virtualTime[tenant.JobId] = time;
                queue.Enqueue(tenant, (time, tenant.CreatedAt, tenant.JobId));
            }
            while (picks.Count < slots && queue.TryDequeue(out var tenant, out _))
            {
                if (nextBatch(tenant.JobId) is not { } batch)
                {
                    continue;
                }
                picks.Add(batch);
                var time = _virtualTime[tenant.JobId] += (double)images(batch) / Math.Max(1, tenant.Priority);
                queue.Enqueue(tenant, (time, tenant.CreatedAt, tenant.JobId));
            }
            return picks;
        }
    }

    /// <summary>Drops the state of jobs that no longer run.</summary>
    private void Forget(IReadOnlyCollection<Tenant> running)
    {
        var ids = running.Select(t => t.JobId).ToHashSet();
        foreach (var gone in _virtualTime.Keys.Where(id => !ids.Contains(id)).ToList())
        {
            _virtualTime.Remove(gone);
        }
    }
}
