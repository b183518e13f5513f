using Dla.Persistence.Jobs;

namespace Dla.Scheduler.Progress;

/// <summary>
/// Exact progress of a job, counted from the database: every image of the manifest ends with either a
/// result (<see cref="Succeeded"/>) or an error row (<see cref="Failed"/>).
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="State">Its state.</param>
/// <param name="Total">Images listed so far; the exact total once <paramref name="TotalFinal"/>.</param>
/// <param name="TotalFinal">True once listing is complete, so <paramref name="Total"/> no longer moves.</param>
/// <param name="Succeeded">Images with a result.</param>
/// <param name="Failed">Images with an error row (and no result).</param>
/// <param name="Remaining">Images without an outcome yet.</param>
/// <param name="ImagesPerSecond">Images of the batches completed in the last minute (or since the start, if shorter), per second.</param>
/// <param name="EtaSeconds">Remaining divided by the rate; null while nothing is being processed.</param>
/// <param name="PlannedBatches">Batches planned so far.</param>
/// <param name="FailedBatches">Batches that reached the error queue ("retry failed" re-plans them).</param>
/// <param name="FailureReason">Why the job failed, when it did.</param>
/// <param name="At">When the counts were read.</param>
public sealed record ProgressReport(
    Guid JobId,
    JobState State,
    long Total,
    bool TotalFinal,
    long Succeeded,
    long Failed,
    long Remaining,
    double ImagesPerSecond,
    double? EtaSeconds,
    int PlannedBatches,
    int FailedBatches,
    string? FailureReason,
    DateTimeOffset At)
{
    /// <summary>True when the job will not change any more without a user's action.</summary>
    public bool IsFinal => State.IsFinal();
}
