namespace Dla.Persistence.Jobs;

/// <summary>
/// A batch of a job's manifest. The batch table is the outbox: a batch is stored before it is
/// published, and the dispatcher publishes what is <see cref="BatchState.Planned"/> (or lost by its
/// worker), a bounded number at a time, so a crash anywhere loses nothing. Every change of state is
/// one of the named, conditional updates of <see cref="BatchTransitions"/> (docs/lifecycle.md).
/// </summary>
public sealed class Batch
{
    public Guid JobId { get; set; }

    public int BatchIndex { get; set; }

    public BatchState State { get; set; } = BatchState.Planned;

    public int ImageCount { get; set; }

    /// <summary>How many times the batch was published; a message carrying an older number is stale.</summary>
    public int Dispatches { get; set; }

    /// <summary>When the batch was last published.</summary>
    public DateTimeOffset? DispatchedAt { get; set; }

    /// <summary>When a worker last started the batch.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>The worker running a started batch (host:pid), for operators.</summary>
    public string? Worker { get; set; }

    /// <summary>
    /// Until when the worker running a <see cref="BatchState.Started"/> batch is presumed alive; its
    /// heartbeats move it on. Null while the batch waits: waiting in the queue never expires.
    /// </summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>
    /// Images of the batch with a result, as stored now (<see cref="BatchOutcomeCounts"/>): a job's progress is the
    /// sum over its batches, not a count of its results.
    /// </summary>
    public int SucceededImages { get; set; }

    /// <summary>Images of the batch with an error and no result, kept with <see cref="SucceededImages"/>.</summary>
    public int FailedImages { get; set; }

    public string? LastError { get; set; }
}

/// <summary>Lifecycle of a batch (docs/lifecycle.md).</summary>
public enum BatchState
{
    /// <summary>Stored, not yet published (the outbox's backlog).</summary>
    Planned,

    /// <summary>Published and waiting in the queue for a worker; never expires.</summary>
    Queued,

    /// <summary>A worker runs it and renews <see cref="Batch.LeaseUntil"/> by heartbeat.</summary>
    Started,

    /// <summary>Every image of the batch has a result or an error row.</summary>
    Completed,

    /// <summary>The batch kept failing, or its workers kept dying; "retry failed" re-plans it.</summary>
    Failed,

    /// <summary>Its job was cancelled or failed before it completed.</summary>
    Cancelled,
}
