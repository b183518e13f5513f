using Dla.Modeling.Architecture;

namespace Dla.Modeling.Weights;

/// <summary>
/// A network's tensors by state_dict name, checked against what the network expects, with where
/// they came from. Models built from <see cref="RandomWeights"/> are marked <see cref="Untrained"/>
/// and every output derived from them says so.
/// </summary>
public sealed class ModelWeights
{
    private readonly IReadOnlyDictionary<string, float[]> _tensors;

    internal ModelWeights(IReadOnlyDictionary<string, float[]> tensors, string source, bool untrained)
    {
        _tensors = tensors;
        Source = source;
        Untrained = untrained;
    }

    /// <summary>Where the weights came from: a path, <c>hf:REPO</c>, or <c>random:SEED</c>.</summary>
    public string Source { get; }

    /// <summary>True for seeded random initialisation: predictions are meaningless.</summary>
    public bool Untrained { get; }

    /// <summary>A tensor's values in row-major order.</summary>
    public float[] this[string name] => _tensors[name];

    /// <summary>
    /// Binds a timm state_dict to an architecture. The number of classes comes from <c>fc.weight</c>,
    /// so fine-tuned checkpoints load as they are. <c>num_batches_tracked</c> is ignored, as are the
    /// unused inner-node <c>project</c> tensors of the original ucbdrive checkpoints.
    /// </summary>
    /// <exception cref="WeightsFormatException">A key is missing, unexpected or mis-shaped, or a dtype is not a float type.</exception>
    public static (DlaNetwork Network, ModelWeights Weights) Load(SafeTensorsFile file, DlaArchitecture architecture, string? source = null)
    {
        var numClasses = ClassCount(file, architecture);
        var network = DlaNetwork.Build(architecture, numClasses);
        var expected = StateDictLayout.Expected(network).ToList();
        var problems = new List<string>();
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var tensor in expected)
        {
            if (!file.Entries.TryGetValue(tensor.Name, out var entry))
            {
                problems.Add($"missing key '{tensor.Name}' (expected shape {Shape(tensor.Shape)})");
                continue;
            }
            if (!entry.Shape.SequenceEqual(tensor.Shape))
            {
                problems.Add($"key '{tensor.Name}' has shape {Shape(entry.Shape)} but the model expects {Shape(tensor.Shape)}");
                continue;
            }
            tensors[tensor.Name] = file.ReadFloat32(tensor.Name);
        }
        var known = expected.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(file.Entries.Keys
            .Where(k => !known.Contains(k) && !IsIgnorable(k))
            .Order(StringComparer.Ordinal)
            .Select(k => $"unexpected key '{k}' (shape {Shape(file.Entries[k].Shape)})"));
        if (problems.Count > 0)
        {
            var shown = string.Join("; ", problems.Take(8));
            var more = problems.Count > 8 ? $"; and {problems.Count - 8} more" : "";
            throw new WeightsFormatException($"'{file.Source}' does not fit this DLA architecture: {shown}{more}.");
        }
        return (network, new ModelWeights(tensors, source ?? file.Source, untrained: false));
    }

    private static int ClassCount(SafeTensorsFile file, DlaArchitecture architecture)
    {
        if (!file.Entries.TryGetValue("fc.weight", out var fc))
        {
            throw new WeightsFormatException($"'{file.Source}' has no 'fc.weight': cannot tell the number of classes (expected shape [N, {architecture.EmbeddingDim}, 1, 1]).");
        }
        if (fc.Shape.Length != 4 || fc.Shape[0] < 1)
        {
            throw new WeightsFormatException($"'{file.Source}': key 'fc.weight' has shape {Shape(fc.Shape)} but the model expects [N, {architecture.EmbeddingDim}, 1, 1].");
        }
        return fc.Shape[0];
    }

    private static bool IsIgnorable(string key) =>
        key.EndsWith(".num_batches_tracked", StringComparison.Ordinal) || key.Contains(".project.", StringComparison.Ordinal);

    internal static string Shape(int[] shape) => $"[{string.Join(", ", shape)}]";
}
