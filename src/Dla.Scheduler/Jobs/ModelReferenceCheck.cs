using System.Text.Json;
using Dla.Modeling.Architecture;
using Dla.Modeling.Models;
using Dla.Modeling.Weights;

namespace Dla.Scheduler.Jobs;

/// <summary>
/// Cheap checks that a job's model and weights can be resolved, done at submission so a typo is a
/// 400 rather than a job that fails on every worker. Nothing is downloaded or built here: the
/// workers resolve the model (hub weights, graph cache) when the first batch runs.
/// </summary>
internal static class ModelReferenceCheck
{
    /// <summary>Reasons the model is unusable; empty when it looks resolvable.</summary>
    public static IEnumerable<string> ModelProblems(string model)
    {
        if (DlaVariants.Find(model) is not null)
        {
            yield break;
        }
        if (model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(model))
            {
                yield return $"ONNX file '{model}' does not exist.";
            }
            yield break;
        }
        var isInline = model.TrimStart().StartsWith('{');
        if (!isInline && !(model.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(model)))
        {
            yield return $"Unknown model '{model}': use a variant ({string.Join(", ", DlaVariants.All.Select(v => v.Name))}), architecture JSON (inline or a .json file), or an .onnx file.";
            yield break;
        }
        if (ArchitectureProblem(isInline ? model : File.ReadAllText(model)) is { } problem)
        {
            yield return problem;
        }
    }

    /// <summary>Reasons (by request field) the weights do not fit the model; empty when they look usable.</summary>
    public static IEnumerable<(string Field, string Message)> WeightsProblems(string model, string? weights, int? numClasses)
    {
        var isRandom = string.Equals(weights, ModelRequest.RandomWeights, StringComparison.OrdinalIgnoreCase);
        if (model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) && weights is not null)
        {
            yield return ("weights", "An ONNX model carries its own weights; leave weights empty.");
        }
        else if (weights is null && DlaVariants.Find(model) is null && !model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            yield return ("weights", "A custom architecture needs weights: a safetensors path, hf:REPO, or 'random'.");
        }
        else if (weights is not null && !isRandom && HubWeightsReference.IsHubReference(weights) && !HubWeightsReference.TryParse(weights, out _))
        {
            yield return ("weights", $"'{weights}' is not a valid hub reference (hf:owner/name[@revision]).");
        }
        else if (weights is not null && !isRandom && !HubWeightsReference.IsHubReference(weights) && !File.Exists(weights))
        {
            yield return ("weights", $"Weights file '{weights}' does not exist (use a safetensors path, hf:REPO, or 'random').");
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
