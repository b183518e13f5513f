namespace Dla.Contracts;

/// <summary>
/// Event: a job was cancelled. Workers stop the job's in-flight batches at the next stage boundary
/// and skip its queued batches; outcomes already stored stay.
/// </summary>
/// <param name="JobId">The cancelled job.</param>
public sealed record JobCancellationRequested(Guid JobId);
