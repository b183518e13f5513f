using System.Security.Cryptography;
using System.Text;
using Dla.Modeling.Architecture;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Onnx;
using Dla.Modeling.Weights;

namespace Dla.Modeling.Models;

/// <summary>
/// Turns a <see cref="ModelRequest"/> into an ONNX file on disk: resolves the architecture, fetches
/// the weights (local, hub or random), builds the graph and caches it under
/// <c>{cache}/graphs/{sha256}.onnx</c>, keyed by the content of everything that went into it, so
/// a graph is built once per distinct model.
/// </summary>
public sealed class ModelRepository(HuggingFaceHub hub, string? cacheDirectory = null)
{
    /// <summary>Bumped whenever the exporter's output changes, so stale cached graphs are not reused.</summary>
    private const string ExporterFormat = "dla-onnx-1";

    /// <summary>Directory holding cached graphs.</summary>
    public string GraphDirectory { get; } = Path.Combine(cacheDirectory ?? hub.CacheDirectory, "graphs");

    /// <summary>The ONNX file for <paramref name="request"/>, built and cached when needed.</summary>
    /// <exception cref="ModelLoadException">The model or weights cannot be resolved.</exception>
    /// <exception cref="WeightsFormatException">The weights do not fit the architecture.</exception>
    /// <exception cref="WeightsDownloadException">Hub weights cannot be downloaded.</exception>
    public async Task<string> ResolveAsync(ModelRequest request, CancellationToken cancellationToken = default)
    {
        if (request.IsOnnxFile)
        {
            if (request.Weights is not null)
            {
                throw new ModelLoadException($"'{request.Model}' is an ONNX file with its own weights; do not pass weights with it.");
            }
            return File.Exists(request.Model) ? request.Model : throw new ModelLoadException($"ONNX file '{request.Model}' does not exist.");
        }
        var (name, architecture, variant) = ArchitectureReference.Resolve(request.Model);
        var weights = await ResolveWeightsAsync(request, variant, cancellationToken);
        var key = CacheKey(name, architecture, weights, request);
        var path = Path.Combine(GraphDirectory, key + ".onnx");
        if (File.Exists(path))
        {
            return path;
        }
        var bytes = Build(name, architecture, weights, request);
        Directory.CreateDirectory(GraphDirectory);
        // Unique per call, not per process: two hosts in one process (tests, a scheduler beside a worker)
        // may build the same graph at once, and sharing a temporary file made one of them fail.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>Builds the ONNX model bytes for <paramref name="request"/> without caching (for <c>model export</c>).</summary>
    public async Task<byte[]> BuildAsync(ModelRequest request, CancellationToken cancellationToken = default)
    {
        if (request.IsOnnxFile)
        {
            return await File.ReadAllBytesAsync(await ResolveAsync(request, cancellationToken), cancellationToken);
        }
        var (name, architecture, variant) = ArchitectureReference.Resolve(request.Model);
        return Build(name, architecture, await ResolveWeightsAsync(request, variant, cancellationToken), request);
    }

    /// <summary>The network and weights behind <paramref name="request"/>; null for an ONNX file, which has no architecture here.</summary>
    public async Task<(DlaNetwork Network, ModelWeights Weights)?> LoadNetworkAsync(ModelRequest request, CancellationToken cancellationToken = default)
    {
        if (request.IsOnnxFile)
        {
            return null;
        }
        var (_, architecture, variant) = ArchitectureReference.Resolve(request.Model);
        return Load(architecture, await ResolveWeightsAsync(request, variant, cancellationToken), request);
    }

    private static (DlaNetwork, ModelWeights) Load(DlaArchitecture architecture, ResolvedWeights weights, ModelRequest request) =>
        weights.Path is { } path
            ? ModelWeights.Load(SafeTensorsFile.Open(path), architecture, weights.Source)
            : RandomNetwork(architecture, request);

    private static byte[] Build(string name, DlaArchitecture architecture, ResolvedWeights weights, ModelRequest request)
    {
        var (network, modelWeights) = Load(architecture, weights, request);
        var description = new ModelDescription(name, architecture, network.NumClasses, architecture.EmbeddingDim,
            modelWeights.Source, modelWeights.Untrained, request.Precision, PreprocessConfig.ImageNetDefault);
        return DlaOnnxExporter.Export(network, modelWeights, description, request.Precision);
    }

    private static (DlaNetwork, ModelWeights) RandomNetwork(DlaArchitecture architecture, ModelRequest request)
    {
        var network = DlaNetwork.Build(architecture, request.NumClasses ?? 1000);
        return (network, RandomWeights.Create(network, request.Seed));
    }

    private async Task<ResolvedWeights> ResolveWeightsAsync(ModelRequest request, DlaVariant? variant, CancellationToken cancellationToken)
    {
        var weights = request.Weights ?? (variant is null
            ? throw new ModelLoadException("A custom architecture needs weights: pass a safetensors path, hf:REPO, or 'random'.")
            : HubWeightsReference.Prefix + variant.HubRepository);
        if (string.Equals(weights, ModelRequest.RandomWeights, StringComparison.OrdinalIgnoreCase))
        {
            return new ResolvedWeights(null, $"random:{request.Seed}", null);
        }
        if (request.NumClasses is not null)
        {
            throw new ModelLoadException("--num-classes applies to random weights only; a checkpoint's classifier decides its own number of classes.");
        }
        if (HubWeightsReference.IsHubReference(weights))
        {
            var reference = HubWeightsReference.Parse(weights);
            var downloaded = await hub.DownloadAsync(reference, cancellationToken);
            return new ResolvedWeights(downloaded, reference.ToString(), await FileHashAsync(downloaded, cancellationToken));
        }
        if (!File.Exists(weights))
        {
            throw new ModelLoadException($"Weights file '{weights}' does not exist (use a safetensors path, hf:REPO, or 'random').");
        }
        return new ResolvedWeights(weights, Path.GetFullPath(weights), await FileHashAsync(weights, cancellationToken));
    }

    private static string CacheKey(string name, DlaArchitecture architecture, ResolvedWeights weights, ModelRequest request)
    {
        var identity = weights.ContentHash ?? $"{weights.Source}:{request.NumClasses ?? 1000}";
        var text = $"{ExporterFormat}\n{name}\n{architecture.ToJson()}\n{identity}\n{request.Precision}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static async Task<string> FileHashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private sealed record ResolvedWeights(string? Path, string Source, string? ContentHash);
}
