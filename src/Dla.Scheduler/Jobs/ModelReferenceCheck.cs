using System.Text.Json;
using System.Text.RegularExpressions;
using Dla.Datasets;
using Dla.Datasets.ModelFiles;
using Dla.Modeling.Architecture;
using Dla.Modeling.Models;
using Dla.Modeling.Weights;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.Jobs;

/// <summary>
/// Cheap checks that a job's model and weights can be resolved, done at submission so a typo is a
/// 400 rather than a job that fails on every worker, and the trust boundary for the files a request
/// names: a local path is checked against <see cref="ModelSourceOptions.AllowedRoots"/> before anything
/// touches it, so a path outside them is never opened or even looked up, here or on a worker. Nothing is
/// downloaded or built here: the workers resolve the model (hub weights, graph cache) when the first batch runs.
/// </summary>
public sealed partial class ModelReferenceCheck(IOptions<ModelSourceOptions> options)
{
    /// <summary>Largest architecture .json file read at submission.</summary>
    public const int MaxArchitectureBytes = 1024 * 1024;

    /// <summary>Reasons the model is unusable; empty when it looks resolvable.</summary>
    public IEnumerable<string> ModelProblems(string model)
    {
        if (DlaVariants.Find(model) is not null)
        {
            yield break;
        }
        var isOnnx = model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);
        var isInline = model.TrimStart().StartsWith('{');
        if (!isOnnx && !isInline && !model.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"Unknown model '{model}': use a variant ({string.Join(", ", DlaVariants.All.Select(v => v.Name))}), architecture JSON (inline or a .json file), or an .onnx file.";
            yield break;
        }
        if (isOnnx && ModelBlobReference.IsBlob(model))
        {
            if (BlobProblem(model) is { } blobProblem)
            {
                yield return blobProblem;
            }
            yield break;
        }
        if (!isInline && LocalFileProblem(model, isOnnx ? "ONNX file" : "Architecture file") is { } fileProblem)
        {
            yield return fileProblem;
            yield break;
        }
        if (isOnnx)
        {
            yield break;
        }
        if (!isInline && new FileInfo(model).Length > MaxArchitectureBytes)
        {
            yield return $"Architecture file '{model}' is larger than {MaxArchitectureBytes} bytes.";
            yield break;
        }
        if (ArchitectureProblem(isInline ? model : File.ReadAllText(model)) is { } problem)
        {
            yield return problem;
        }
    }

    /// <summary>Reasons (by request field) the weights do not fit the model; empty when they look usable.</summary>
    public IEnumerable<(string Field, string Message)> WeightsProblems(string model, string? weights, int? numClasses)
    {
        var isRandom = string.Equals(weights, ModelRequest.RandomWeights, StringComparison.OrdinalIgnoreCase);
        if (model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) && weights is not null)
        {
            yield return ("weights", "An ONNX model carries its own weights; leave weights empty.");
        }
        else if (weights is null && DlaVariants.Find(model) is null && !model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            yield return ("weights", "A custom architecture needs weights: a safetensors path, azure://container/path.safetensors, hf:REPO, or 'random'.");
        }
        else if (weights is not null && !isRandom && HubWeightsReference.IsHubReference(weights) && !HubWeightsReference.TryParse(weights, out _))
        {
            yield return ("weights", $"'{weights}' is not a valid hub reference (hf:owner/name[@revision]).");
        }
        else if (ModelBlobReference.IsBlob(weights))
        {
            if (BlobProblem(weights!) is { } problem)
            {
                yield return ("weights", problem);
            }
        }
        else if (weights is not null && !isRandom && !HubWeightsReference.IsHubReference(weights) && LocalFileProblem(weights, "Weights file") is { } problem)
        {
            yield return ("weights", problem);
        }
        if (numClasses is not null && !isRandom)
        {
            yield return ("num_classes", "Applies to random weights only; a checkpoint decides its own number of classes.");
        }
        if (numClasses is < 1 or > 100_000)
        {
            yield return ("num_classes", "Must be between 1 and 100000.");
        }
    }

    /// <summary>
    /// Why the local file <paramref name="path"/> may not be used; null when it is a non-empty regular file
    /// under an allowed root. The file system is touched only once the path's text is under a root.
    /// </summary>
    internal string? LocalFileProblem(string path, string what)
    {
        if (UriScheme().Match(path) is { Success: true } scheme)
        {
            return $"'{scheme.Value}' references are not supported: use a variant's default, hf:owner/name, 'random', azure://container/path in Models:AllowedContainers, or a file under Models:AllowedRoots.";
        }
        if (!Path.IsPathFullyQualified(path))
        {
            return $"{what} '{path}' must be an absolute path under Models:AllowedRoots.";
        }
        var roots = options.Value.AllowedRoots;
        if (roots.Count == 0)
        {
            return $"{what} '{path}' may not be read: a submission may name local files only under Models:AllowedRoots, and none is configured.";
        }
        try
        {
            if (!AllowedRoots.Contains(roots, path))
            {
                return $"{what} '{path}' is not under any of Models:AllowedRoots.";
            }
        }
        catch (IOException ex)
        {
            return $"{what} '{path}': {ex.Message}";
        }
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return $"{what} '{path}' does not exist.";
        }
        // FIFOs, devices and most /proc files report no size: refusing them means no reader ever blocks on one.
        return file.Length == 0 ? $"{what} '{path}' is empty or not a regular file." : null;
    }

    /// <summary>Why the blob <paramref name="reference"/> may not be used; null when its container is allowed (its content is read when the job is pinned).</summary>
    internal string? BlobProblem(string reference, IReadOnlyCollection<string>? extensions = null)
    {
        try
        {
            var blob = ModelBlobReference.Parse(reference, extensions ?? ModelBlobReference.Extensions);
            return options.Value.AllowedContainers.Contains(blob.Container, StringComparer.Ordinal)
                ? null
                : $"Container '{blob.Container}' is not one of Models:AllowedContainers{(options.Value.AllowedContainers.Count == 0 ? " (none is configured)" : "")}.";
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>A URL scheme such as <c>file:</c> or <c>https:</c> (two letters at least, so never a drive letter).</summary>
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]+:")]
    private static partial Regex UriScheme();

    private static string? ArchitectureProblem(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            // A golden case.json wraps the arguments (or a variant name) in "arch", as the CLI accepts.
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("arch", out var arch))
            {
                if (arch.ValueKind == JsonValueKind.String)
                {
                    return DlaVariants.Find(arch.GetString()!) is null ? $"Unknown variant '{arch.GetString()}' in 'arch'." : null;
                }
                json = arch.GetRawText();
            }
            DlaArchitecture.FromJson(json);
            return null;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            return $"Not a valid DLA architecture: {ex.Message}";
        }
    }
}
