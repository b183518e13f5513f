namespace Dla.Scheduler.Jobs;

/// <summary>
/// Where the model files an API request names may come from (configuration section <c>Models</c>).
/// Variants, <c>hf:</c> references, <c>random</c> and inline architecture JSON need no file; a local
/// path (an .onnx or architecture .json model, safetensors weights) is allowed only under
/// <see cref="AllowedRoots"/>.
/// </summary>
public sealed class ModelSourceOptions
{
    public const string Section = "Models";

    /// <summary>
    /// Folders local model and weights files may be read from. Empty (the default): no local file, since a
    /// scheduler answers over HTTP and its workers must not open whatever path a request names. The
    /// embedded <c>dla run</c> is one's own machine and allows every path.
    /// </summary>
    public List<string> AllowedRoots { get; set; } = [];

    /// <summary>
    /// Blob containers <c>azure://container/path.safetensors</c> (or <c>.onnx</c>) may name, in the account of
    /// <c>ConnectionStrings:BlobStorage</c>. Empty (the default): no container, so a model is read from blob
    /// storage only where a deployment said it may be.
    /// </summary>
    public List<string> AllowedContainers { get; set; } = [];
}
