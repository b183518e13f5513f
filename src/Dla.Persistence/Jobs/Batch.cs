namespace Dla.Persistence.Jobs;

/// <summary>
/// A batch of a job's manifest. The batch table is the outbox: a batch is stored before it is
/// published, and the dispatcher publishes what is <see cref="BatchState.Planned"/> or whose lease
/// expired, so a crash anywhere loses nothing.
/// </summary>
public sealed class Batch
{
    public Guid JobId { get; set; }

    public int BatchIndex { get; set; }

    public BatchState State { get; set; } = BatchState.Planned;

    public int ImageCount { get; set; }

    /// <summary>How many times the batch was published.</summary>
    public int Dispatches { get; set; }

    public DateTimeOffset? DispatchedAt { get; set; }

    /// <summary>When a dispatched batch with no outcome is published again.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public string? LastError { get; set; }
}

/// <summary>Lifecycle of a batch.</summary>
public enum BatchState
{
    /// <summary>Stored, not yet published.</summary>
    Planned,

    /// <summary>Published; a worker owns it until its lease expires.</summary>
    Dispatched,

    /// <summary>Every image of the batch has a result or an error row.</summary>
    Completed,

    /// <summary>The batch kept failing and reached the error queue; "retry failed" re-plans it.</summary>
    Failed,

    /// <summary>Its job was cancelled before it completed.</summary>
    Cancelled,
}
