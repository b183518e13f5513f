namespace Dla.Scheduler.Jobs;

/// <summary>A job request is invalid; <see cref="Errors"/> names each bad field (snake_case) with its reasons.</summary>
public sealed class JobValidationException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("The job request is invalid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
{
    /// <summary>Reasons per field.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>No job has the id.</summary>
public sealed class JobNotFoundException(Guid jobId) : Exception($"Job {jobId} does not exist.")
{
    /// <summary>The id asked for.</summary>
    public Guid JobId { get; } = jobId;
}

/// <summary>The job has no image at the path asked for (a search by path).</summary>
public sealed class ImageNotFoundException(Guid jobId, string path) : Exception($"No image '{path}' in job {jobId}.");

/// <summary>The operation does not apply to the job in its current state (e.g. cancelling a finished job).</summary>
public sealed class JobStateException(string message) : Exception(message);

/// <summary>A tenant submitted a job past its <c>Api:Tenants:&lt;name&gt;:MaxRunningJobs</c>.</summary>
public sealed class TenantQuotaException(string tenant, int limit, long running)
    : Exception($"Tenant '{tenant}' has {running} pending or running jobs, its limit (Api:Tenants:{tenant}:MaxRunningJobs is {limit}); submit again when one has finished.")
{
    public int Limit { get; } = limit;

    public long Running { get; } = running;
}
