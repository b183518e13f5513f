using System.Globalization;
using Dla.Modeling.Architecture;
using Dla.Modeling.Images;

namespace Dla.Modeling.Onnx;

/// <summary>
/// What a model is and how to feed it, stored in the ONNX file's metadata properties so that an
/// exported file carries its own preprocessing config and provenance.
/// </summary>
/// <param name="Name">timm variant name, or <c>custom</c>.</param>
/// <param name="Architecture">timm constructor arguments, or null for a foreign ONNX file.</param>
/// <param name="NumClasses">Classifier outputs.</param>
/// <param name="EmbeddingDim">Size of the <c>embedding</c> output, or null when the graph has none.</param>
/// <param name="WeightsSource">Where the weights came from (path, <c>hf:REPO</c>, <c>random:SEED</c>).</param>
/// <param name="Untrained">True when the weights are random: outputs must be labelled as such.</param>
/// <param name="Precision">Graph precision.</param>
/// <param name="Preprocess">The eval transform the model expects.</param>
public sealed record ModelDescription(
    string Name,
    DlaArchitecture? Architecture,
    int NumClasses,
    int? EmbeddingDim,
    string WeightsSource,
    bool Untrained,
    OnnxPrecision Precision,
    PreprocessConfig Preprocess)
{
    private const string P = OnnxConventions.MetadataPrefix;

    /// <summary>The metadata properties written into the ONNX file.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToMetadata()
    {
        yield return new(P + "name", Name);
        if (Architecture is not null)
        {
            yield return new(P + "architecture", Architecture.ToJson());
        }
        yield return new(P + "num_classes", NumClasses.ToString(CultureInfo.InvariantCulture));
        if (EmbeddingDim is { } dim)
        {
            yield return new(P + "embedding_dim", dim.ToString(CultureInfo.InvariantCulture));
        }
        yield return new(P + "weights", WeightsSource);
        yield return new(P + "untrained", Untrained ? "true" : "false");
        yield return new(P + "precision", Precision.ToString().ToLowerInvariant());
        yield return new(P + "input_size", $"3,{Preprocess.InputHeight},{Preprocess.InputWidth}");
        yield return new(P + "crop_pct", Preprocess.CropPct.ToString("R", CultureInfo.InvariantCulture));
        yield return new(P + "mean", Floats(Preprocess.Mean));
        yield return new(P + "std", Floats(Preprocess.Std));
        yield return new(P + "interpolation", Preprocess.Interpolation);
    }

    /// <summary>
    /// Reads the description back from metadata; a file exported elsewhere (e.g. by
    /// <c>torch.onnx.export</c>) has none, so its fields fall back to the DLA defaults.
    /// </summary>
    public static ModelDescription FromMetadata(IReadOnlyDictionary<string, string> metadata, string fallbackName, int numClasses, int? embeddingDim)
    {
        string? Get(string key) => metadata.TryGetValue(P + key, out var value) ? value : null;
        var defaults = PreprocessConfig.ImageNetDefault;
        var size = Get("input_size")?.Split(',').Select(int.Parse).ToArray();
        var preprocess = new PreprocessConfig(
            size?[1] ?? defaults.InputHeight,
            size?[2] ?? defaults.InputWidth,
            Get("crop_pct") is { } crop ? double.Parse(crop, CultureInfo.InvariantCulture) : defaults.CropPct,
            ParseFloats(Get("mean")) ?? defaults.Mean,
            ParseFloats(Get("std")) ?? defaults.Std,
            Get("interpolation") ?? defaults.Interpolation);
        return new ModelDescription(
            Get("name") ?? fallbackName,
            Get("architecture") is { } json ? DlaArchitecture.FromJson(json) : null,
            numClasses,
            embeddingDim,
            Get("weights") ?? "onnx file",
            Get("untrained") == "true",
            Get("precision") == "fp16" ? OnnxPrecision.Fp16 : OnnxPrecision.Fp32,
            preprocess);
    }

    private static string Floats(float[] values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    private static float[]? ParseFloats(string? text) => text?.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}
