using System.Text.Json;
using Dla.Modeling.Architecture;
using Dla.Modeling.Inference;

namespace Dla.Modeling.Models;

/// <summary>Resolves the model part of a <see cref="ModelRequest"/> to a name and an architecture.</summary>
internal static class ArchitectureReference
{
    public static (string Name, DlaArchitecture Architecture, DlaVariant? Variant) Resolve(string model)
    {
        if (DlaVariants.Find(model) is { } variant)
        {
            return (variant.Name, variant.Architecture, variant);
        }
        var json = model.TrimStart().StartsWith('{') ? model : ReadJsonFile(model);
        try
        {
            using var document = JsonDocument.Parse(json);
            // A golden case.json wraps the arguments (or a variant name) in "arch".
            if (document.RootElement.TryGetProperty("arch", out var arch))
            {
                return arch.ValueKind == JsonValueKind.String
                    ? Resolve(arch.GetString()!)
                    : ("custom", DlaArchitecture.FromJson(arch.GetRawText()), null);
            }
            return ("custom", DlaArchitecture.FromJson(json), null);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new ModelLoadException($"'{model}' is not a valid DLA architecture: {ex.Message}", ex);
        }
    }

    private static string ReadJsonFile(string model)
    {
        if (model.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(model))
        {
            return File.ReadAllText(model);
        }
        var names = string.Join(", ", DlaVariants.All.Select(v => v.Name));
        throw new ModelLoadException($"Unknown model '{model}': use a variant ({names}), an architecture .json file, or an .onnx file.");
    }
}
