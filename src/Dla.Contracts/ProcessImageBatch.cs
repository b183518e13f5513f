namespace Dla.Contracts;

/// <summary>
/// Command: run the model on one batch of a job's images and store one outcome per image.
/// Delivered at least once; a redelivery (or two workers on the same batch) must not duplicate or
/// lose anything, because results are upserted by (job, image).
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="BatchIndex">Index of the batch within the job (0-based, in listing order).</param>
/// <param name="Dispatch">Which dispatch of this batch this is (1 for the first, +1 per re-dispatch).</param>
/// <param name="Dataset">Where the images live: a local folder or <c>azure://container/prefix</c>.</param>
/// <param name="Model">What to run.</param>
/// <param name="Images">The batch's images: manifest ids and paths relative to <paramref name="Dataset"/>.</param>
/// <param name="LeaseSeconds">
/// How long the scheduler presumes the worker alive after a heartbeat: the worker records the batch's start
/// and renews its lease every third of this while it runs. 0 (a message from an older scheduler): the worker's default.
/// </param>
public sealed record ProcessImageBatch(
    Guid JobId,
    int BatchIndex,
    int Dispatch,
    string Dataset,
    ModelSpec Model,
    IReadOnlyList<ImageRef> Images,
    int LeaseSeconds = 0);

/// <summary>One image of a batch: its manifest id and where to read it, never its pixels.</summary>
/// <param name="ImageId">Id within the job's manifest (listing order, 0-based).</param>
/// <param name="Path">Path relative to the dataset root (a blob name under the prefix, or a file path under the folder).</param>
public sealed record ImageRef(long ImageId, string Path);

/// <summary>The model and outputs a job asks for.</summary>
/// <param name="Model">A timm variant, architecture JSON, or ONNX file (as the CLI's <c>--model</c>).</param>
/// <param name="Weights">Safetensors path, <c>azure://container/path.safetensors</c>, <c>hf:REPO</c>, <c>random</c>, or null for timm's pretrained weights.</param>
/// <param name="Seed">Seed for random weights.</param>
/// <param name="NumClasses">Classifier size for random weights.</param>
/// <param name="Precision"><c>fp32</c> or <c>fp16</c>.</param>
/// <param name="Tasks">What to store per image.</param>
/// <param name="TopK">Classes stored per image when classifying.</param>
/// <param name="WeightsSha256">
/// The SHA-256 the job was pinned to at submission: of the weights file, or of the ONNX file when the model is
/// one; null for hub, random and default weights. A worker that finds other content fails the batch
/// (<c>weights_changed</c>) rather than label part of a dataset with another model.
/// </param>
/// <param name="Decode">
/// <c>exact</c> (timm-identical preprocessing, the default when null) or <c>fast</c> (JPEGs downscaled in the
/// DCT domain before the exact resize: several times faster, a small measured drift; docs/preprocessing.md).
/// </param>
public sealed record ModelSpec(string Model, string? Weights, int Seed, int? NumClasses, string Precision, JobTasks Tasks, int TopK, string? WeightsSha256 = null, string? Decode = null);

/// <summary>Outputs a job stores per image.</summary>
[Flags]
public enum JobTasks
{
    /// <summary>Nothing (invalid for a job).</summary>
    None = 0,

    /// <summary>Top-k labels with names and probabilities.</summary>
    Classify = 1,

    /// <summary>The embedding (pooled features before the classifier).</summary>
    Embed = 2,
}
