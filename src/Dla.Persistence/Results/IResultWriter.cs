namespace Dla.Persistence.Results;

/// <summary>
/// Stores a batch's outcomes idempotently, in one transaction: results upserted by (job, image),
/// errors stored only for images without a result, errors of images that now have a result
/// removed, and the batch marked completed. A redelivered batch therefore changes nothing twice.
/// </summary>
/// <remarks>
/// The write is fenced by the job's state: it first takes a shared lock on the job's row and stores
/// nothing when the job has succeeded, failed or been cancelled. Stopping or finishing a job updates that row, so
/// the change and a write are serialised: once a cancellation has committed (the API has answered), no result of
/// the job is ever stored again, whatever workers still had in flight, and the outcome counts settled on a finished
/// job (<see cref="Jobs.Job.SettledSucceeded"/>) stay exact. (A late copy of a batch of a succeeded job would find every
/// image with an outcome already.)
/// </remarks>
public interface IResultWriter
{
    /// <summary>Writes <paramref name="outcome"/>; returns once committed.</summary>
    /// <returns>True when stored; false when the job had ended (succeeded, cancelled, failed, being deleted or unknown) and nothing was written.</returns>
    Task<bool> WriteAsync(BatchOutcome outcome, CancellationToken cancellationToken);
}

/// <summary>Everything a worker learned about one batch.</summary>
/// <param name="JobId">The job.</param>
/// <param name="BatchIndex">The batch; marked completed in the same transaction.</param>
/// <param name="Results">One per successfully processed image.</param>
/// <param name="Errors">One per failed image.</param>
public sealed record BatchOutcome(Guid JobId, int BatchIndex, IReadOnlyList<ImageResult> Results, IReadOnlyList<ImageError> Errors);
