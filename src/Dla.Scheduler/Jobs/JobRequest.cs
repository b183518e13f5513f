namespace Dla.Scheduler.Jobs;

/// <summary>
/// What a client submits (<c>POST /jobs</c>, snake_case JSON). Every field but the dataset and the
/// model has a default; <see cref="JobRequestValidator"/> checks the values.
/// </summary>
public sealed record JobRequest
{
    /// <summary>A local folder (under <c>Datasets:AllowedRoots</c>) or <c>azure://container/prefix</c>.</summary>
    public string? Dataset { get; init; }

    /// <summary>A timm variant, architecture JSON (inline or a <c>.json</c> file), or an <c>.onnx</c> file.</summary>
    public string? Model { get; init; }

    /// <summary>Safetensors path, <c>hf:REPO[@REVISION]</c>, <c>random</c>, or null for timm's pretrained weights.</summary>
    public string? Weights { get; init; }

    /// <summary>Seed of <c>random</c> weights.</summary>
    public int Seed { get; init; }

    /// <summary>Classifier size of <c>random</c> weights.</summary>
    public int? NumClasses { get; init; }

    /// <summary><c>fp32</c> or <c>fp16</c>.</summary>
    public string Precision { get; init; } = "fp32";

    /// <summary><c>exact</c> (timm-identical, the default) or <c>fast</c> (DCT-domain JPEG downscaling; docs/preprocessing.md).</summary>
    public string Decode { get; init; } = "exact";

    /// <summary><c>fp32</c> (the default) or <c>fp16</c>: how embeddings are stored (fp16 as pgvector <c>halfvec</c>, half the bytes).</summary>
    public string EmbeddingPrecision { get; init; } = Persistence.Jobs.EmbeddingPrecisions.Fp32;

    /// <summary>Any of <c>classify</c> and <c>embed</c>.</summary>
    public IReadOnlyList<string> Tasks { get; init; } = ["classify", "embed"];

    /// <summary>
    /// Class names of a fine-tuned classifier, in class order: a list, or a file with one name per line (a path
    /// under <c>Models:AllowedRoots</c> or <c>azure://container/names.txt</c>). Null: ImageNet's names (1000
    /// classes) or <c>class_N</c>.
    /// </summary>
    public System.Text.Json.JsonElement? Labels { get; init; }

    /// <summary>Classes stored per image, 1 to 1000.</summary>
    public int TopK { get; init; } = 5;

    /// <summary>Images per batch message, 1 to 1024.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Weight in the fair share between running jobs, 1 to 100 (docs/scheduling.md); changeable later.</summary>
    public int Priority { get; init; } = Persistence.Jobs.JobPriority.Default;

    /// <summary>The job fails once more images than this have failed (null: no count limit).</summary>
    public int? MaxFailedImages { get; init; }

    /// <summary>The job fails once more than this percentage of its images have failed (null: no limit).</summary>
    public double? MaxFailedPercent { get; init; }
}

/// <summary>The body of <c>PUT /jobs/{id}/priority</c>.</summary>
/// <param name="Priority">The new weight, 1 to 100.</param>
public sealed record PriorityChange(int? Priority);
