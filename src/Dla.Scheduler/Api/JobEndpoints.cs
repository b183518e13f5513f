using Dla.Persistence.Jobs;
using Dla.Scheduler.Jobs;
using Dla.Scheduler.Progress;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.Api;

/// <summary>The job lifecycle endpoints: submit, list, read, follow, cancel, retry.</summary>
internal static class JobEndpoints
{
    /// <summary>Largest page of the list endpoints.</summary>
    public const int MaxPageSize = 1000;

    public static void Map(RouteGroupBuilder jobs)
    {
        jobs.MapPost("/", SubmitAsync).Accepts<JobRequest>("application/json").Produces<JobView>(StatusCodes.Status201Created)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status429TooManyRequests).WithSummary("Submit a job");
        jobs.MapGet("/", ListAsync).WithSummary("Jobs, newest first; filter by state and model, progress=true adds each job's progress");
        jobs.MapGet("/{id}", GetAsync).WithSummary("A job with its progress");
        jobs.MapGet("/{id}/events", EventsAsync).Produces<ProgressReport>(contentType: "text/event-stream")
            .WithSummary("Progress as server-sent events, every second until the job is final");
        jobs.MapDelete("/{id}", DeleteAsync).Produces(StatusCodes.Status204NoContent)
            .WithSummary("Delete a job: cancel it if it runs, then remove its manifest, batches, results, errors and index");
        jobs.MapPost("/{id}/cancel", CancelAsync).WithSummary("Cancel a pending or running job");
        jobs.MapPost("/{id}/retry-failed", RetryFailedAsync).WithSummary("Re-plan failed batches and transiently failed images");
        jobs.MapPut("/{id}/priority", SetPriorityAsync).Accepts<PriorityChange>("application/json").ProducesValidationProblem()
            .WithSummary("Change a pending or running job's priority (its weight in the fair share)");
    }

    /// <summary>Checks page parameters shared by the list endpoints.</summary>
    public static (int Page, int PageSize) Paging(int? page, int? pageSize, int defaultSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1)
        {
            errors["page"] = ["Pages count from 1."];
        }
        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"Must be between 1 and {MaxPageSize}."];
        }
        return errors.Count == 0 ? (page ?? 1, pageSize ?? defaultSize) : throw new JobValidationException(errors);
    }

    private static async Task<IResult> SubmitAsync(HttpRequest request, JobService jobs, IOptionsMonitor<ApiKeyOptions> keys, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<JobRequest>(request, cancellationToken);
        var tenant = Caller.Tenant(request.HttpContext.User);
        var limit = tenant is null ? null : keys.CurrentValue.Tenants.GetValueOrDefault(tenant)?.MaxRunningJobs;
        var job = await jobs.SubmitAsync(body, tenant, limit, cancellationToken);
        return TypedResults.Created($"/jobs/{job.Id}", JobView.Of(job));
    }

    private static async Task<JobPage> ListAsync(int? page, int? pageSize, string? state, string? model, bool? progress, HttpContext context, JobService jobs, CancellationToken cancellationToken)
    {
        var (p, size) = Paging(page, pageSize, 50);
        JobState? wanted = null;
        if (!string.IsNullOrEmpty(state))
        {
            wanted = Enum.TryParse<JobState>(state, ignoreCase: true, out var parsed) && !int.TryParse(state, out _)
                ? parsed
                : throw new JobValidationException(new Dictionary<string, string[]> { ["state"] = [$"One of {string.Join(", ", Enum.GetNames<JobState>().Select(n => n.ToLowerInvariant()))}."] });
        }
        var filter = new JobFilter(Caller.Tenant(context.User), wanted, string.IsNullOrEmpty(model) ? null : model, progress ?? false);
        return await jobs.ListAsync(p, size, filter, cancellationToken);
    }

    private static async Task<JobView> GetAsync(string id, JobService jobs, CancellationToken cancellationToken)
    {
        var jobId = JobIds.Parse(id);
        var job = await jobs.GetAsync(jobId, cancellationToken);
        return JobView.Of(job, await jobs.GetProgressAsync(jobId, cancellationToken));
    }

    private static async Task<IResult> EventsAsync(string id, JobService jobs, CancellationToken cancellationToken)
    {
        var jobId = JobIds.Parse(id);
        // Checked before the stream starts, while a 404 can still be sent.
        await jobs.GetAsync(jobId, cancellationToken);
        return TypedResults.ServerSentEvents(ProgressEvents.StreamAsync(jobs, jobId, cancellationToken), eventType: "progress");
    }

    private static async Task<IResult> DeleteAsync(string id, JobService jobs, CancellationToken cancellationToken)
    {
        await jobs.DeleteAsync(JobIds.Parse(id), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<JobView> CancelAsync(string id, JobService jobs, CancellationToken cancellationToken) =>
        JobView.Of(await jobs.CancelAsync(JobIds.Parse(id), cancellationToken));

    private static async Task<JobView> SetPriorityAsync(string id, HttpRequest request, JobService jobs, CancellationToken cancellationToken)
    {
        var jobId = JobIds.Parse(id);
        var change = await JsonBody.ReadAsync<PriorityChange>(request, cancellationToken);
        return JobView.Of(await jobs.SetPriorityAsync(jobId, change.Priority, cancellationToken));
    }

    private static async Task<RetryOutcome> RetryFailedAsync(string id, JobService jobs, CancellationToken cancellationToken) =>
        await jobs.RetryFailedAsync(JobIds.Parse(id), cancellationToken);
}
