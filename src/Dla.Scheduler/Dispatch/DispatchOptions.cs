using System.ComponentModel.DataAnnotations;

namespace Dla.Scheduler.Dispatch;

/// <summary>Dispatch settings (configuration section <c>Scheduler</c>; docs/scheduling.md).</summary>
public sealed class DispatchOptions
{
    public const string Section = "Scheduler";

    /// <summary>Pause between dispatch rounds.</summary>
    [Range(10, 60_000)]
    public int DispatchIntervalMilliseconds { get; set; } = 200;

    /// <summary>
    /// How long a started batch's worker is presumed alive after its last heartbeat (workers renew every third
    /// of it). A batch whose worker is silent this long is published again. Waiting in the queue never counts.
    /// </summary>
    [Range(1, 24 * 3600)]
    public int LeaseSeconds { get; set; } = 60;

    /// <summary>A batch whose worker is lost this many times (its lease expired after each of its dispatches) becomes failed.</summary>
    [Range(1, 1000)]
    public int MaxDispatches { get; set; } = 5;

    /// <summary>
    /// Most batches published and not yet started, over all jobs: the upper bound of the queue's length. The
    /// rest wait in the database, where fair share decides their order.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxQueuedBatches { get; set; } = 64;

    /// <summary>
    /// Queued batches kept per busy worker (one running a batch), plus one worker's worth for an idle one:
    /// the queue holds min(MaxQueuedBatches, this × (busy workers + 1)), so it follows the pool's size and a
    /// new job waits behind a couple of batches per worker, not behind MaxQueuedBatches. About
    /// Worker:PrefetchCount (2). 0 keeps the queue at MaxQueuedBatches.
    /// </summary>
    [Range(0, 1000)]
    public int QueuedBatchesPerWorker { get; set; } = 2;

    /// <summary>
    /// A batch queued this long without being started is published again (its message is presumed lost,
    /// e.g. a queue purged by hand). The older copy, if it still arrives, is recognised as stale and skipped.
    /// </summary>
    [Range(60, 7 * 24 * 3600)]
    public int QueuedRepublishSeconds { get; set; } = 3600;
}
