using Dla.Contracts;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Progress;

namespace Dla.Scheduler.Jobs;

/// <summary>A job as the API shows it (snake_case JSON); <see cref="Progress"/> only where asked for.</summary>
public sealed record JobView(
    Guid Id,
    JobState State,
    string? Tenant,
    string Dataset,
    string Model,
    string? Weights,
    string? WeightsSha256,
    string? DlaVersion,
    int? LabelCount,
    int Seed,
    int? NumClasses,
    string Precision,
    string Decode,
    string EmbeddingPrecision,
    IReadOnlyList<string> Tasks,
    int TopK,
    int BatchSize,
    int Priority,
    int? MaxFailedImages,
    double? MaxFailedPercent,
    long ListedImages,
    int PlannedBatches,
    bool ListingComplete,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? CancelRequestedAt,
    ProgressReport? Progress = null)
{
    /// <summary>The view of a stored job.</summary>
    public static JobView Of(Job job, ProgressReport? progress = null) => new(
        job.Id, job.State, job.Tenant, job.Dataset, job.Model, job.Weights, job.WeightsSha256, job.DlaVersion, job.Labels?.Split('\n').Length, job.Seed, job.NumClasses, job.Precision, job.Decode, job.EmbeddingPrecision, TaskNames(job.Tasks),
        job.TopK, job.BatchSize, job.Priority, job.MaxFailedImages, job.MaxFailedPercent, job.ListedImages, job.PlannedBatches, job.ListingComplete,
        job.FailureReason, job.CreatedAt, job.StartedAt, job.FinishedAt, job.CancelRequestedAt, progress);

    /// <summary>The flag of one task name of the request format (<c>classify</c>, <c>embed</c>); <see cref="JobTasks.None"/> for anything else.</summary>
    public static JobTasks TaskFlag(string name) => name switch
    {
        "classify" => JobTasks.Classify,
        "embed" => JobTasks.Embed,
        _ => JobTasks.None,
    };

    /// <summary>The task names of the request format.</summary>
    public static IReadOnlyList<string> TaskNames(JobTasks tasks) =>
        [.. tasks.HasFlag(JobTasks.Classify) ? ["classify"] : Array.Empty<string>(), .. tasks.HasFlag(JobTasks.Embed) ? ["embed"] : Array.Empty<string>()];
}

/// <summary>One page of jobs, newest first.</summary>
public sealed record JobPage(int Page, int PageSize, long Total, IReadOnlyList<JobView> Jobs);

/// <summary>What "retry failed" re-planned.</summary>
/// <param name="Batches">Failed batches set back to planned.</param>
/// <param name="Images">Images with a retryable error (read_failed, timeout) put into new batches.</param>
/// <param name="NewBatches">Batches created for those images.</param>
public sealed record RetryOutcome(int Batches, int Images, int NewBatches);

/// <summary>Which jobs a list shows.</summary>
/// <param name="Tenant">Only this tenant's jobs (a tenant key); null: every job (an administrator).</param>
/// <param name="State">Only jobs in this state.</param>
/// <param name="Model">Only jobs of exactly this model.</param>
/// <param name="WithProgress">Count each listed job's progress (a few indexed counts per job).</param>
public sealed record JobFilter(string? Tenant, JobState? State = null, string? Model = null, bool WithProgress = false);
