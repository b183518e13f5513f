using System.Collections.Concurrent;

namespace Dla.Worker.Cancellation;

/// <summary>
/// Which jobs this process is working on, so a <see cref="Contracts.JobCancellationRequested"/>
/// event can cancel their in-flight batches within seconds instead of letting them run to the end.
/// </summary>
/// <remarks>
/// Only batches in flight are cancelled; nothing is remembered. Whether a batch that starts later
/// may run is the database's answer (the consumer reads the job's state after registering here), so
/// a job that retry-failed resumed after it failed is worked on again.
/// </remarks>
public sealed class JobCancellations
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<JobLease, byte>> _running = new();
    /// <summary>
    /// Starts tracking one batch of <paramref name="jobId"/>. The lease's token is cancelled when the
    /// job is cancelled while the batch runs, or when <paramref name="consumeToken"/> is; dispose it when the batch ends.
    /// </summary>
    public JobLease Track(Guid jobId, CancellationToken consumeToken)
    {
        var lease = new JobLease(this, jobId, consumeToken);
        _running.GetOrAdd(jobId, _ => new()).TryAdd(lease, 0);
        return lease;
    }

    /// <summary>Cancels every tracked batch of <paramref name="jobId"/>.</summary>
    public void Cancel(Guid jobId)
    {
        if (_running.TryGetValue(jobId, out var leases))
        {
            foreach (var lease in leases.Keys)
            {
                lease.CancelJob();
            }
        }
    }

    private void Release(JobLease lease)
    {
        if (_running.TryGetValue(lease.JobId, out var leases))
        {
            leases.TryRemove(lease, out _);
        }
    }

    /// <summary>One batch's hold on its job's cancellation.</summary>
    public sealed class JobLease : IDisposable
    {
        private readonly JobCancellations _owner;
        private readonly CancellationTokenSource _job = new();
        private readonly CancellationTokenSource _linked;

        internal JobLease(JobCancellations owner, Guid jobId, CancellationToken consumeToken)
        {
            _owner = owner;
            JobId = jobId;
            _linked = CancellationTokenSource.CreateLinkedTokenSource(consumeToken, _job.Token);
        }

        /// <summary>The job.</summary>
        public Guid JobId { get; }

        /// <summary>Cancelled when the job is cancelled or the message's own token is.</summary>
        public CancellationToken Token => _linked.Token;

        /// <summary>True when the job was cancelled (as opposed to the worker stopping).</summary>
        public bool IsJobCancelled => _job.IsCancellationRequested;

        internal void CancelJob()
        {
            try
            {
                _job.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The batch ended while the event was being handled: nothing left to cancel.
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _owner.Release(this);
            _linked.Dispose();
            _job.Dispose();
        }
    }
}
