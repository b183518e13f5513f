using Dla.Contracts;
using Dla.Datasets;
using Dla.Persistence.Jobs;

namespace Dla.Scheduler.Jobs;

/// <summary>Checks a <see cref="JobRequest"/> field by field; every problem is reported at once.</summary>
public sealed class JobRequestValidator(DatasetLister lister, ModelReferenceCheck models)
{
    /// <summary>Largest batch a worker is asked to hold in memory at once.</summary>
    public const int MaxBatchSize = 1024;

    /// <summary>Largest top-k (ImageNet has 1000 classes).</summary>
    public const int MaxTopK = 1000;

    /// <summary>Returns the tasks the request asks for.</summary>
    /// <exception cref="JobValidationException">Any field is invalid.</exception>
    public JobTasks Validate(JobRequest request)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message) => (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(message);

        CheckDataset(request.Dataset, Add);
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            Add("model", "A model is required: a variant name, architecture JSON, or an .onnx file.");
        }
        else
        {
            foreach (var problem in models.ModelProblems(request.Model))
            {
                Add("model", problem);
            }
            foreach (var (field, problem) in models.WeightsProblems(request.Model, request.Weights, request.NumClasses))
            {
                Add(field, problem);
            }
        }
        if (request.Precision is not ("fp32" or "fp16"))
        {
            Add("precision", "Use fp32 or fp16.");
        }
        if (request.Decode is not ("exact" or "fast"))
        {
            Add("decode", "Use exact (timm-identical) or fast (DCT-domain JPEG downscaling).");
        }
        if (!EmbeddingPrecisions.IsValid(request.EmbeddingPrecision))
        {
            Add("embedding_precision", "Use fp32 (pgvector vector) or fp16 (halfvec: half the bytes per row, search recall in docs/benchmarks.md).");
        }
        var tasks = ParseTasks(request.Tasks, Add);
        if (request.TopK is < 1 or > MaxTopK)
        {
            Add("top_k", $"Must be between 1 and {MaxTopK}.");
        }
        if (!JobPriority.IsValid(request.Priority))
        {
            Add("priority", JobPriority.Invalid);
        }
        if (request.BatchSize is < 1 or > MaxBatchSize)
        {
            Add("batch_size", $"Must be between 1 and {MaxBatchSize}.");
        }
        if (request.MaxFailedImages is < 0)
        {
            Add("max_failed_images", "Must not be negative.");
        }
        if (request.MaxFailedPercent is { } percent && (double.IsNaN(percent) || percent is < 0 or > 100))
        {
            Add("max_failed_percent", "Must be between 0 and 100.");
        }
        return errors.Count == 0 ? tasks : throw new JobValidationException(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }

    private void CheckDataset(string? dataset, Action<string, string> add)
    {
        try
        {
            var location = DatasetLocation.Parse(dataset ?? "");
            lister.EnsureAllowed(location);
            if (location.Kind == DatasetKind.LocalFolder && !Directory.Exists(location.Root))
            {
                add("dataset", $"Folder '{location.Root}' does not exist.");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or DatasetAccessException)
        {
            add("dataset", ex.Message);
        }
    }

    private static JobTasks ParseTasks(IReadOnlyList<string>? names, Action<string, string> add)
    {
        var tasks = JobTasks.None;
        foreach (var name in names ?? [])
        {
            var flag = JobView.TaskFlag(name);
            tasks |= flag;
            if (flag == JobTasks.None)
            {
                add("tasks", $"Unknown task '{name}': use classify and/or embed.");
            }
        }
        if (tasks == JobTasks.None && (names is null || names.Count == 0))
        {
            add("tasks", "At least one task is required: classify and/or embed.");
        }
        return tasks;
    }
}
