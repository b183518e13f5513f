using Dla.Contracts;
using Dla.Persistence.Jobs;

namespace Dla.Scheduler.Export;

/// <summary>
/// One manifest image with its outcome: a result (top-k and/or embedding) or an error. Images with
/// neither (queued, in a failed batch, or cancelled) carry the error kind <see cref="NotProcessed"/>.
/// </summary>
/// <param name="ImageId">Position in the manifest.</param>
/// <param name="Path">Path relative to the dataset.</param>
/// <param name="TopK">Classes, most probable first; null for embedding-only jobs and failed images.</param>
/// <param name="Embedding">The embedding; null unless the job embeds.</param>
/// <param name="Error">Why there is no result.</param>
public sealed record ExportRow(long ImageId, string Path, IReadOnlyList<ExportClass>? TopK, float[]? Embedding, ExportError? Error)
{
    /// <summary>Error kind of an image without any outcome.</summary>
    public const string NotProcessed = "not_processed";
}

/// <summary>One class of a top-k: index, ImageNet (or checkpoint) label, softmax probability in [0, 1].</summary>
public sealed record ExportClass(int Index, string Label, float Probability);

/// <summary>A stable error kind (unreadable, truncated, ..., read_failed, timeout) and a message.</summary>
public sealed record ExportError(string Kind, string Message);

/// <summary>What a job's export contains.</summary>
/// <param name="TopK">Top-k columns (CSV) when classifying.</param>
/// <param name="Classify">The job stored top-k classes.</param>
/// <param name="Embed">The job stored embeddings.</param>
/// <param name="Untrained">The weights were random: rows are marked as in <c>dla predict</c>.</param>
public sealed record ExportSettings(int TopK, bool Classify, bool Embed, bool Untrained)
{
    /// <summary>
    /// Where the rows came from, as <c>dla.*</c> keys: the job, its model and weights reference, the pinned
    /// SHA-256 and the Dla version that accepted it. Parquet files carry it as key-value metadata; every export
    /// response carries it in <c>Dla-*</c> headers.
    /// </summary>
    public IReadOnlyDictionary<string, string> Provenance { get; init; } = new Dictionary<string, string>();

    /// <summary>The settings of <paramref name="job"/>.</summary>
    public static ExportSettings For(Job job)
    {
        var untrained = string.Equals(job.Weights, "random", StringComparison.OrdinalIgnoreCase);
        return new(job.TopK, job.Tasks.HasFlag(JobTasks.Classify), job.Tasks.HasFlag(JobTasks.Embed), untrained)
        {
            Provenance = new Dictionary<string, string>
            {
                ["dla.job_id"] = job.Id.ToString(),
                ["dla.model"] = job.Model,
                ["dla.weights"] = job.Weights ?? "default",
                ["dla.weights_sha256"] = job.WeightsSha256 ?? "",
                ["dla.version"] = job.DlaVersion ?? "",
                // Random weights make every label and embedding meaningless; a reader of the file alone must see it.
                ["dla.untrained"] = untrained ? "true" : "false",
            },
        };
    }
}
