using Dla.Contracts;
using Dla.Persistence.Database;
using Dla.Datasets;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Dispatch;
using Dla.Scheduler.Planning;
using Dla.Scheduler.Progress;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Jobs;

/// <summary>
/// The job operations, called in-process by the REST API and by the embedded runner: submit, read,
/// cancel, retry what failed, progress. Scoped: it publishes through the scope's
/// <see cref="IPublishEndpoint"/>.
/// </summary>
public sealed class JobService(
    IDlaDbContextFactory databases,
    JobRequestValidator validator,
    ModelPinning pinning,
    JobLabels labels,
    Planner planner,
    ProgressReader progress,
    IPublishEndpoint publisher,
    DispatchSignal dispatchSignal,
    TimeProvider time)
{
    /// <summary>
    /// Validates and stores a job (state <see cref="JobState.Pending"/>) for <paramref name="tenant"/> (null: an
    /// administrator, or the embedded runner) and starts planning it.
    /// </summary>
    /// <exception cref="JobValidationException">The request is invalid.</exception>
    /// <exception cref="TenantQuotaException">The tenant already has <paramref name="maxRunningJobs"/> pending or running jobs.</exception>
    public async Task<Job> SubmitAsync(JobRequest request, string? tenant = null, int? maxRunningJobs = null, CancellationToken cancellationToken = default)
    {
        var tasks = validator.Validate(request);
        if (tenant is not null && maxRunningJobs is { } limit)
        {
            // Checked at submission: two submissions racing for the last slot may both pass, by one job.
            await using var db = await databases.CreateAsync(cancellationToken);
            var running = await db.Jobs.LongCountAsync(j => j.Tenant == tenant && (j.State == JobState.Pending || j.State == JobState.Running), cancellationToken);
            if (running >= limit)
            {
                throw new TenantQuotaException(tenant, limit, running);
            }
        }
        var (pin, classes) = await pinning.PinAsync(request, cancellationToken);
        var names = await labels.ReadAsync(request, classes, cancellationToken);
        var job = new Job
        {
            Id = Guid.CreateVersion7(),
            Dataset = DatasetLocation.Parse(request.Dataset!).ToString(),
            Model = request.Model!,
            Weights = request.Weights,
            WeightsSha256 = pin,
            Labels = names is null ? null : string.Join('\n', names),
            DlaVersion = ModelPinning.Version,
            Seed = request.Seed,
            NumClasses = request.NumClasses,
            Precision = request.Precision,
            Decode = request.Decode,
            EmbeddingPrecision = request.EmbeddingPrecision,
            Tasks = tasks,
            TopK = request.TopK,
            BatchSize = request.BatchSize,
            Priority = request.Priority,
            MaxFailedImages = request.MaxFailedImages,
            MaxFailedPercent = request.MaxFailedPercent,
            State = JobState.Pending,
            Tenant = tenant,
            CreatedAt = time.GetUtcNow(),
        };
        await using (var db = await databases.CreateAsync(cancellationToken))
        {
            db.Jobs.Add(job);
            await db.SaveChangesAsync(cancellationToken);
        }
        planner.Enqueue(job.Id);
        return job;
    }

    /// <summary>The stored job.</summary>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    public async Task<Job> GetAsync(Guid jobId, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        return await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.State != JobState.Deleting, cancellationToken) ?? throw new JobNotFoundException(jobId);
    }

    /// <summary>Jobs, newest first; <paramref name="page"/> counts from 1.</summary>
    public Task<JobPage> ListAsync(int page, int pageSize, string? tenant = null, CancellationToken cancellationToken = default) =>
        ListAsync(page, pageSize, new JobFilter(tenant), cancellationToken);

    /// <summary>The jobs <paramref name="filter"/> selects, newest first, with their progress when it asks for it.</summary>
    public async Task<JobPage> ListAsync(int page, int pageSize, JobFilter filter, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        var visible = (filter.Tenant is null ? db.Jobs : db.Jobs.Where(j => j.Tenant == filter.Tenant)).Where(j => j.State != JobState.Deleting);
        if (filter.State is { } state)
        {
            visible = visible.Where(j => j.State == state);
        }
        if (filter.Model is { } model)
        {
            visible = visible.Where(j => j.Model == model);
        }
        var total = await visible.LongCountAsync(cancellationToken);
        var jobs = await visible.AsNoTracking().OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken);
        var views = new List<JobView>(jobs.Count);
        foreach (var job in jobs)
        {
            views.Add(JobView.Of(job, filter.WithProgress ? await progress.ReadAsync(db, job, cancellationToken) : null));
        }
        return new JobPage(page, pageSize, total, views);
    }

    /// <summary>
    /// Refuses a tenant another tenant's job exactly as a job that does not exist, so ids tell nothing;
    /// an administrator (<paramref name="tenant"/> null) sees every job.
    /// </summary>
    /// <exception cref="JobNotFoundException">No such job, or not the tenant's.</exception>
    public async Task EnsureVisibleAsync(Guid jobId, string? tenant, CancellationToken cancellationToken = default)
    {
        if (tenant is null)
        {
            return;
        }
        await using var db = await databases.CreateAsync(cancellationToken);
        if (!await db.Jobs.AnyAsync(j => j.Id == jobId && j.Tenant == tenant && j.State != JobState.Deleting, cancellationToken))
        {
            throw new JobNotFoundException(jobId);
        }
    }

    /// <summary>Exact progress, counted from the database.</summary>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    public async Task<ProgressReport> GetProgressAsync(Guid jobId, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.State != JobState.Deleting, cancellationToken) ?? throw new JobNotFoundException(jobId);
        return await progress.ReadAsync(db, job, cancellationToken);
    }

    /// <summary>
    /// Cancels a pending or running job: no batch is dispatched any more, unfinished batches become
    /// <see cref="BatchState.Cancelled"/>, and workers are told to drop the job's in-flight batches.
    /// Outcomes already stored stay.
    /// </summary>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    /// <exception cref="JobStateException">The job already finished.</exception>
    public async Task<Job> CancelAsync(Guid jobId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using (var db = await databases.CreateAsync(cancellationToken))
        {
            // Conditional update: a job finishing at the same moment either wins or is cancelled, never both.
            if (!await JobTransitions.CancelAsync(db, jobId, now, cancellationToken))
            {
                throw await RefusedAsync(db, jobId, $"only pending or running jobs can be cancelled. To remove a finished job and its results, delete it (DELETE /jobs/{jobId}, dla delete)", cancellationToken);
            }
            await BatchTransitions.CancelOpenAsync(db, jobId, cancellationToken);
        }
        await publisher.Publish(new JobCancellationRequested(jobId), cancellationToken);
        return await GetAsync(jobId, cancellationToken);
    }

    /// <summary>
    /// Deletes a job: a pending or running one is cancelled first (its workers drop it), then the job becomes
    /// <see cref="JobState.Deleting"/>: from now on the API answers 404 for it and nothing more is written. The leading
    /// replica purges its manifest, batches, results, errors and search index in the background (<c>JobPurger</c>).
    /// </summary>
    /// <exception cref="JobNotFoundException">No such job (or it is being deleted already).</exception>
    public async Task DeleteAsync(Guid jobId, CancellationToken cancellationToken = default)
    {
        var job = await GetAsync(jobId, cancellationToken);
        if (job.State is JobState.Pending or JobState.Running)
        {
            try
            {
                await CancelAsync(jobId, cancellationToken);
            }
            catch (JobStateException)
            {
                // It finished meanwhile: deleting it below is all that is left to do.
            }
        }
        await using var db = await databases.CreateAsync(cancellationToken);
        if (!await JobTransitions.DeleteAsync(db, jobId, cancellationToken))
        {
            // Another request deleted it first (or it is gone): the same answer as for an unknown job.
            throw new JobNotFoundException(jobId);
        }
    }

    /// <summary>
    /// Changes a pending or running job's priority; the dispatcher's next round (within
    /// Scheduler:DispatchIntervalMilliseconds) shares the queue's free slots by the new weights.
    /// </summary>
    /// <exception cref="JobValidationException">The priority is out of range.</exception>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    /// <exception cref="JobStateException">The job already finished.</exception>
    public async Task<Job> SetPriorityAsync(Guid jobId, int? priority, CancellationToken cancellationToken = default)
    {
        if (priority is not { } value || !JobPriority.IsValid(value))
        {
            throw new JobValidationException(new Dictionary<string, string[]> { ["priority"] = [JobPriority.Invalid] });
        }
        await using (var db = await databases.CreateAsync(cancellationToken))
        {
            if (!await JobTransitions.SetPriorityAsync(db, jobId, value, cancellationToken))
            {
                throw await RefusedAsync(db, jobId, "only a pending or running job's priority can change. To run the dataset again at another priority, submit a new job", cancellationToken);
            }
        }
        return await GetAsync(jobId, cancellationToken);
    }

    /// <summary>Why a conditional transition of the job matched no row: it does not exist (thrown), or its state (returned).</summary>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    private static async Task<JobStateException> RefusedAsync(DlaDbContext db, Guid jobId, string rule, CancellationToken cancellationToken)
    {
        var state = await db.Jobs.Where(j => j.Id == jobId).Select(j => (JobState?)j.State).FirstOrDefaultAsync(cancellationToken)
            ?? throw new JobNotFoundException(jobId);
        return new JobStateException($"Job {jobId} is {state.ToString().ToLowerInvariant()}; {rule}.");
    }

    /// <summary>
    /// Re-plans what failed: failed batches go back to <see cref="BatchState.Planned"/> (their dispatch
    /// count kept), and images whose error is transient (<c>read_failed</c>, <c>timeout</c>) go into new
    /// batches, their error rows deleted in the same transaction. The job runs again.
    /// </summary>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    /// <exception cref="JobStateException">The job is pending, cancelled or still listing, or nothing is retryable.</exception>
    public async Task<RetryOutcome> RetryFailedAsync(Guid jobId, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        var outcome = await FailedWorkRetry.RunAsync(db, jobId, cancellationToken);
        dispatchSignal.Raise();
        return outcome;
    }
}
