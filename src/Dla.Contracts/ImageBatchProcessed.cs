namespace Dla.Contracts;

/// <summary>
/// Event: a worker stored the outcomes of a batch (results and per-image errors, committed in the
/// same transaction as the batch's completion). Published after the commit; may be delivered more
/// than once, so consumers treat it as a hint to re-read progress from the database.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="BatchIndex">The batch.</param>
/// <param name="Succeeded">Images of the batch with a result.</param>
/// <param name="Failed">Images of the batch with an error row.</param>
/// <param name="Worker">Host name and process id of the worker.</param>
/// <param name="Seconds">Wall time from receiving the message to the commit.</param>
public sealed record ImageBatchProcessed(Guid JobId, int BatchIndex, int Succeeded, int Failed, string Worker, double Seconds);
