namespace Dla.Scheduler.Dispatch;

/// <summary>
/// Weighted fair share of the worker pool between running jobs (docs/scheduling.md). A job's usage is the
/// number of its images in flight (queued or started); each free queue slot goes to the job with the
/// lowest usage per unit of priority, the older job on a tie. So a job's share of the pool follows its
/// priority (20 gets twice the images in flight of 10), a job submitted behind a huge one gets the next
/// free slots at once, and no running job with work left ever gets none.
/// </summary>
public sealed class FairShare
{
    private readonly PriorityQueue<Tenant, (double Usage, DateTimeOffset CreatedAt, Guid Id)> _queue = new();

    /// <summary>Adds a running job with its priority, submission time and images in flight now.</summary>
    public void Add(Guid jobId, int priority, DateTimeOffset createdAt, long imagesInFlight)
    {
        var tenant = new Tenant(jobId, Math.Max(1, priority), createdAt) { ImagesInFlight = imagesInFlight };
        _queue.Enqueue(tenant, tenant.Key);
    }

    /// <summary>
    /// The job that gets the next slot, or null when none is left. <paramref name="nextBatch"/> gives that job's
    /// next batch (its image count), or null when it has nothing more to dispatch, which drops it.
    /// </summary>
    public (Guid JobId, T Batch)? Next<T>(Func<Guid, T?> nextBatch, Func<T, int> images) where T : class
    {
        while (_queue.TryDequeue(out var tenant, out _))
        {
            if (nextBatch(tenant.JobId) is not { } batch)
            {
                continue;
            }
            tenant.ImagesInFlight += images(batch);
            _queue.Enqueue(tenant, tenant.Key);
            return (tenant.JobId, batch);
        }
        return null;
    }

    private sealed class Tenant(Guid jobId, int priority, DateTimeOffset createdAt)
    {
        public Guid JobId { get; } = jobId;

        public long ImagesInFlight { get; set; }

        public (double Usage, DateTimeOffset CreatedAt, Guid Id) Key => ((double)ImagesInFlight / priority, createdAt, JobId);
    }
}
