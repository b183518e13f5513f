using Dla.Modeling.Architecture;
using Dla.Modeling.Inference;
using Dla.Modeling.Onnx;
using Dla.Modeling.Weights;

namespace Dla.Modeling.Checking;

/// <summary>
/// Proves that a deployed model reproduces reference outputs (timm's): runs the reference file's
/// <c>input</c> and compares <c>logits</c> and, when both sides have it, <c>embedding</c>.
/// Tolerance per output: max |Δ| ≤ 1e-4 · max(1, max |expected|).
/// </summary>
public static class ReferenceCheck
{
    /// <summary>Relative tolerance factor on the largest expected magnitude.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Runs the check with <paramref name="tolerance"/> as the factor on max(1, max |expected|).</summary>
    /// <exception cref="WeightsFormatException">The reference file lacks <c>input</c> or <c>logits</c>.</exception>
    public static ReferenceCheckReport Run(DlaSession session, SafeTensorsFile reference, double tolerance = Tolerance)
    {
        if (!reference.Entries.TryGetValue(OnnxConventions.Input, out var inputEntry) || inputEntry.Shape.Length != 4)
        {
            throw new WeightsFormatException($"'{reference.Source}' needs an '{OnnxConventions.Input}' tensor of shape [N, 3, H, W].");
        }
        var shape = inputEntry.Shape;
        var outputs = session.Run(reference.ReadFloat32(OnnxConventions.Input), shape[0], shape[2], shape[3]);
        var comparisons = new List<OutputComparison>
        {
            Compare(OnnxConventions.Logits, outputs.Logits, reference.ReadFloat32(OnnxConventions.Logits), tolerance),
        };
        var notes = new List<string>();
        if (outputs.Embeddings is not null && reference.Contains(OnnxConventions.Embedding))
        {
            comparisons.Add(Compare(OnnxConventions.Embedding, outputs.Embeddings, reference.ReadFloat32(OnnxConventions.Embedding), tolerance));
        }
        else if (reference.Contains(OnnxConventions.Embedding))
        {
            notes.Add("the model has no 'embedding' output, so embeddings were not compared");
        }
        return new ReferenceCheckReport(shape, comparisons, notes);
    }

    /// <summary>
    /// Largest |float64 result − reference| over all outputs: the distance of the exact answer of the
    /// same network from the reference, i.e. the reference's own rounding (or, when large, a real
    /// difference between the networks).
    /// </summary>
    public static double ExactDistance(DlaNetwork network, ModelWeights weights, SafeTensorsFile reference)
    {
        var shape = reference.Entries[OnnxConventions.Input].Shape;
        var input = reference.ReadFloat32(OnnxConventions.Input);
        var logits = reference.ReadFloat32(OnnxConventions.Logits);
        var embeddings = reference.Contains(OnnxConventions.Embedding) ? reference.ReadFloat32(OnnxConventions.Embedding) : null;
        var plane = 3 * shape[2] * shape[3];
        var evaluator = new Float64Evaluator(network, weights);
        var worst = 0.0;
        for (var n = 0; n < shape[0]; n++)
        {
            var (l, e) = evaluator.Run(input.AsSpan(n * plane, plane).ToArray(), shape[2], shape[3]);
            worst = Math.Max(worst, l.Select((v, i) => Math.Abs(v - logits[n * l.Length + i])).Max());
            if (embeddings is not null)
            {
                worst = Math.Max(worst, e.Select((v, i) => Math.Abs(v - embeddings[n * e.Length + i])).Max());
            }
        }
        return worst;
    }

    private static OutputComparison Compare(string name, float[] actual, float[] expected, double tolerance)
    {
        if (actual.Length != expected.Length)
        {
            return new OutputComparison(name, double.PositiveInfinity, double.PositiveInfinity, 0, false, $"{actual.Length} values, reference has {expected.Length}");
        }
        double maxAbs = 0, maxExpected = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            double delta = Math.Abs(actual[i] - expected[i]);
            maxAbs = Math.Max(maxAbs, delta);
            maxExpected = Math.Max(maxExpected, Math.Abs(expected[i]));
        }
        var bound = tolerance * Math.Max(1, maxExpected);
        var maxRel = maxAbs / Math.Max(maxExpected, double.Epsilon);
        return new OutputComparison(name, maxAbs, maxRel, bound, maxAbs <= bound && !double.IsNaN(maxAbs), null);
    }
}

/// <summary>The outcome of a <see cref="ReferenceCheck"/>.</summary>
/// <param name="InputShape">Shape of the reference input.</param>
/// <param name="Outputs">One comparison per compared output.</param>
/// <param name="Notes">What could not be compared, and why.</param>
public sealed record ReferenceCheckReport(int[] InputShape, IReadOnlyList<OutputComparison> Outputs, IReadOnlyList<string> Notes)
{
    /// <summary>True when every compared output is within tolerance.</summary>
    public bool Passed => Outputs.All(o => o.Passed);
}

/// <summary>Differences on one output.</summary>
/// <param name="Name">Output name.</param>
/// <param name="MaxAbsolute">Largest |actual − expected|.</param>
/// <param name="MaxRelative">Largest |actual − expected| relative to the largest |expected|.</param>
/// <param name="Bound">The allowed max absolute difference.</param>
/// <param name="Passed">Whether <paramref name="MaxAbsolute"/> ≤ <paramref name="Bound"/>.</param>
/// <param name="Problem">A structural mismatch (sizes), if any.</param>
public sealed record OutputComparison(string Name, double MaxAbsolute, double MaxRelative, double Bound, bool Passed, string? Problem);
