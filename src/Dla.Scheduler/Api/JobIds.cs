using Dla.Scheduler.Jobs;

namespace Dla.Scheduler.Api;

/// <summary>Job ids in routes: a malformed id is a 400, not a 404 (nothing could ever exist there).</summary>
internal static class JobIds
{
    public static Guid Parse(string id) => Guid.TryParse(id, out var jobId)
        ? jobId
        : throw new JobValidationException(new Dictionary<string, string[]> { ["id"] = [$"'{id}' is not a job id (a UUID)."] });
}
