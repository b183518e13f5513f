using Dla.Modeling.Onnx;

namespace Dla.Modeling.Models;

/// <summary>
/// What a user asks for, in the command line's terms: a model (a variant name, an architecture
/// JSON file or inline JSON, or an ONNX file) and its weights.
/// </summary>
/// <param name="Model">A timm variant (<c>dla34</c>), a <c>.json</c> file or inline JSON with timm's DLA arguments, or an <c>.onnx</c> file.</param>
/// <param name="Weights">A safetensors path, <c>hf:REPO[@REVISION]</c>, or <c>random</c>; null means timm's pretrained weights for a variant.</param>
/// <param name="Seed">Seed for <c>random</c> weights.</param>
/// <param name="NumClasses">Classifier size for <c>random</c> weights (checkpoints carry their own).</param>
/// <param name="Precision">Graph precision.</param>
public sealed record ModelRequest(
    string Model,
    string? Weights = null,
    int Seed = 0,
    int? NumClasses = null,
    OnnxPrecision Precision = OnnxPrecision.Fp32)
{
    /// <summary>The <see cref="Weights"/> value that asks for seeded random initialisation.</summary>
    public const string RandomWeights = "random";

    /// <summary>True when <see cref="Model"/> names an ONNX file used as it is.</summary>
    public bool IsOnnxFile => Model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);
}
