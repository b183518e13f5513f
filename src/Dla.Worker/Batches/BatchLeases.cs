using Dla.Contracts;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;

namespace Dla.Worker.Batches;

/// <summary>
/// Records that this worker starts a batch, and renews the batch's lease by heartbeat while it runs, every
/// third of the lease the scheduler set (<see cref="ProcessImageBatch.LeaseSeconds"/>). The scheduler
/// requeues a started batch only once its heartbeats stop, so a batch's time in the queue never counts
/// and a killed worker's batch goes out again within one lease (docs/lifecycle.md).
/// </summary>
public sealed partial class BatchLeases(IDlaDbContextFactory databases, ILogger<BatchLeases> logger)
{
    /// <summary>The lease when a message does not carry one (from a scheduler older than leases by heartbeat).</summary>
    public const int DefaultLeaseSeconds = 60;

    /// <summary>How this worker names itself on the batches it runs.</summary>
    public static string WorkerName { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// Starts <paramref name="message"/>'s batch and its heartbeat; null when the batch is not to be run: it is
    /// complete, cancelled or failed, or the message is a stale copy of an older dispatch.
    /// </summary>
    public async Task<BatchLease?> StartAsync(ProcessImageBatch message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var lease = TimeSpan.FromSeconds(message.LeaseSeconds > 0 ? message.LeaseSeconds : DefaultLeaseSeconds);
        await using var db = await databases.CreateAsync(cancellationToken);
        var started = await BatchTransitions.StartAsync(db, message.JobId, message.BatchIndex, message.Dispatch, WorkerName, DateTimeOffset.UtcNow, lease, cancellationToken);
        return started ? new BatchLease(message, lease, HeartbeatAsync) : null;
    }

    private async Task<bool> HeartbeatAsync(ProcessImageBatch message, TimeSpan lease, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await databases.CreateAsync(cancellationToken);
            if (await BatchTransitions.HeartbeatAsync(db, message.JobId, message.BatchIndex, message.Dispatch, WorkerName, DateTimeOffset.UtcNow, lease, cancellationToken))
            {
                return true;
            }
            LogNoLongerOurs(logger, message.JobId, message.BatchIndex);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database may be back before the lease runs out; the batch's own writes will tell.
            LogHeartbeatFailed(logger, ex, message.JobId, message.BatchIndex);
            return true;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch {BatchIndex} of job {JobId} is no longer this worker's (completed, requeued or cancelled); heartbeats stop")]
    private static partial void LogNoLongerOurs(ILogger logger, Guid jobId, int batchIndex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat of batch {BatchIndex} of job {JobId} failed; retrying at the next one")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception, Guid jobId, int batchIndex);
}

/// <summary>A started batch: its heartbeat runs until this is disposed.</summary>
public sealed class BatchLease : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeats;

    internal BatchLease(ProcessImageBatch message, TimeSpan lease, Func<ProcessImageBatch, TimeSpan, CancellationToken, Task<bool>> heartbeat) =>
        _heartbeats = RunAsync(message, lease, heartbeat, _stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeats;
        _stop.Dispose();
    }

    private static async Task RunAsync(ProcessImageBatch message, TimeSpan lease, Func<ProcessImageBatch, TimeSpan, CancellationToken, Task<bool>> heartbeat, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(lease / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(stop) && await heartbeat(message, lease, stop))
            {
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The batch ended.
        }
    }
}
