using Dla.Contracts;

namespace Dla.Persistence.Jobs;

/// <summary>A labeling/embedding job over one dataset with one model.</summary>
public sealed class Job
{
    /// <summary>Longest tenant name.</summary>
    public const int MaxTenantLength = 64;

    public Guid Id { get; set; }

    /// <summary>A local folder or <c>azure://container/prefix</c>.</summary>
    public required string Dataset { get; set; }

    public required string Model { get; set; }

    public string? Weights { get; set; }

    /// <summary>SHA-256 of the weights file (or ONNX model file) at submission: the job's pin (<see cref="ModelSpec"/>).</summary>
    public string? WeightsSha256 { get; set; }

    /// <summary>
    /// Class names of a fine-tuned classifier, one per line in class order (from <c>labels</c> at submission);
    /// null: ImageNet's names for 1000 classes, <c>class_N</c> otherwise.
    /// </summary>
    public string? Labels { get; set; }

    /// <summary>The Dla version (with its commit) that accepted the job: provenance of its results.</summary>
    public string? DlaVersion { get; set; }

    public int Seed { get; set; }

    public int? NumClasses { get; set; }

    public string Precision { get; set; } = "fp32";

    /// <summary>How images are decoded: <c>exact</c> (timm-identical) or <c>fast</c> (DCT-domain JPEG downscaling).</summary>
    public string Decode { get; set; } = "exact";

    /// <summary>
    /// How embeddings are stored: <c>fp32</c> (pgvector <c>vector</c>, 4 bytes a value) or <c>fp16</c> (<c>halfvec</c>,
    /// 2 bytes; see <see cref="Results.EmbeddingColumns"/>). Read by the result writers under the job's lock, so every row
    /// of a job has one precision; exports and the API return float32 either way.
    /// </summary>
    public string EmbeddingPrecision { get; set; } = EmbeddingPrecisions.Fp32;

    public JobTasks Tasks { get; set; } = JobTasks.Classify | JobTasks.Embed;

    public int TopK { get; set; } = 5;

    public int BatchSize { get; set; } = 32;

    /// <summary>The job fails once more images than this have failed (null: no count limit).</summary>
    public int? MaxFailedImages { get; set; }

    /// <summary>The job fails once more than this percentage of its images have failed (null: no limit).</summary>
    public double? MaxFailedPercent { get; set; }

    public JobState State { get; set; } = JobState.Pending;

    /// <summary>
    /// The tenant whose API key submitted the job (<c>Api:Tenants:&lt;name&gt;</c>); only that tenant's keys and the
    /// administrator keys see it. Null: submitted with an administrator key, the open API or <c>dla run</c>.
    /// </summary>
    public string? Tenant { get; set; }

    /// <summary>The job's weight in the dispatcher's fair share (<see cref="JobPriority"/>); changeable while it runs.</summary>
    public int Priority { get; set; } = JobPriority.Default;

    /// <summary>Images listed so far; the exact total once <see cref="ListingComplete"/>.</summary>
    public long ListedImages { get; set; }

    /// <summary>Batches planned so far.</summary>
    public int PlannedBatches { get; set; }

    public bool ListingComplete { get; set; }

    /// <summary>Embedding size of the model (set when the first batch runs), used for the pgvector index.</summary>
    public int? EmbeddingDim { get; set; }

    public string? FailureReason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public DateTimeOffset? CancelRequestedAt { get; set; }

    /// <summary>
    /// Images with a result, counted once when the job reached a final state (<see cref="JobOutcomes.SettleAsync"/>), so
    /// reading a finished job's progress costs nothing however many images it has. Exact: result writers store nothing
    /// into a finished job. Null while the job runs (and for jobs that ended before the count was kept): count live.
    /// </summary>
    public long? SettledSucceeded { get; set; }

    /// <summary>Images with an error and no result, counted with <see cref="SettledSucceeded"/>.</summary>
    public long? SettledFailed { get; set; }

    /// <summary>The model part of the batch messages.</summary>
    public ModelSpec ModelSpec() => new(Model, Weights, Seed, NumClasses, Precision, Tasks, TopK, WeightsSha256, Decode);
}

/// <summary>
/// A job's priority is its weight in the dispatcher's weighted fair share (docs/scheduling.md): among running
/// jobs, each gets a share of the workers proportional to its priority, so 20 gets twice the share of 10 and
/// no running job ever gets none.
/// </summary>
public static class JobPriority
{
    public const int Min = 1;

    public const int Max = 100;

    public const int Default = 10;

    /// <summary>What a refused priority is told.</summary>
    public static readonly string Invalid = $"Must be an integer from {Min} to {Max} (default {Default}): the job's weight in the fair share between running jobs.";

    /// <summary>Whether <paramref name="priority"/> is allowed.</summary>
    public static bool IsValid(int priority) => priority is >= Min and <= Max;
}

/// <summary>Lifecycle of a job.</summary>
public enum JobState
{
    /// <summary>Accepted, listing not started.</summary>
    Pending,

    /// <summary>Listing and/or processing.</summary>
    Running,

    /// <summary>Every image has an outcome and failures stayed within the thresholds.</summary>
    Succeeded,

    /// <summary>Stopped: failures exceeded a threshold, or batches kept failing.</summary>
    Failed,

    /// <summary>Cancelled by a user; partial results stay.</summary>
    Cancelled,

    /// <summary>
    /// Being removed (<c>DELETE /jobs/{id}</c>, or older than <c>Jobs:RetainDays</c>): gone from the API at once, writers
    /// fenced out; the scheduler's leader purges its rows in small chunks, then the job row itself.
    /// </summary>
    Deleting,
}

/// <summary>What a <see cref="JobState"/> implies.</summary>
public static class JobStates
{
    /// <summary>Succeeded, failed or cancelled: the job changes no more without a user's action, and stores no result.</summary>
    public static readonly JobState[] Final = [JobState.Succeeded, JobState.Failed, JobState.Cancelled];

    /// <summary>Whether <paramref name="state"/> is one of <see cref="Final"/> (in queries, use <c>Final.Contains</c>).</summary>
    public static bool IsFinal(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    /// <summary>
    /// The states in which a job takes no more results (<see cref="Final"/> and <see cref="JobState.Deleting"/>) as a SQL list
    /// of their stored names, for the result writers' hand-written fence: <c>state NOT IN (…)</c>.
    /// </summary>
    public static readonly string NoMoreResultsSql = string.Join(", ", Final.Append(JobState.Deleting).Select(state => $"'{state}'"));
}
