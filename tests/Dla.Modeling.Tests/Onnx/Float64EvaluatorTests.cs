using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Onnx;
using Dla.Modeling.Checking;
using Dla.Modeling.Weights;

namespace Dla.Modeling.Tests.Onnx;

/// <summary>
/// Separates "is the graph right?" from "is float32 rounding small?": a float64 interpretation of
/// the same network must agree with the ONNX Runtime graph far more tightly than either agrees
/// with timm's float32 reference, whose own rounding is part of the golden differences.
/// </summary>
public sealed class Float64EvaluatorTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("tiny_basic")]
    [InlineData("tiny_bottleneck")]
    [InlineData("tiny_bottleneck_x_root")]
    [InlineData("tiny_res2net")]
    [InlineData("tiny_res2next")]
    public void Onnx_graph_agrees_with_a_float64_interpretation_of_the_network(string caseName)
    {
        var (network, weights) = ModelWeights.Load(SafeTensorsFile.Open(GoldenModels.Weights(caseName)), GoldenModels.Architecture(caseName));
        var io = SafeTensorsFile.Open(GoldenModels.Io(caseName));
        var shape = io.Entries["input"].Shape;
        var input = io.ReadFloat32("input");
        float[] timmLogits = io.ReadFloat32("logits"), timmEmbedding = io.ReadFloat32("embedding");
        var description = new ModelDescription(caseName, network.Architecture, network.NumClasses, network.Architecture.EmbeddingDim, weights.Source, false, OnnxPrecision.Fp32, PreprocessConfig.ImageNetDefault);
        using var session = DlaSession.Open(DlaOnnxExporter.Export(network, weights, description), caseName);
        var ort = session.Run(input, shape[0], shape[2], shape[3]);
        var executor = new Float64Evaluator(network, weights);
        double ortVs64 = 0, timmVs64 = 0, scale = 1;
        var plane = 3 * shape[2] * shape[3];
        for (var n = 0; n < shape[0]; n++)
        {
            var (logits, embedding) = executor.Run(input.AsSpan(n * plane, plane).ToArray(), shape[2], shape[3]);
            var exact = logits.Concat(embedding).ToArray();
            var fromOrt = ort.LogitsOf(n).ToArray().Concat(ort.EmbeddingOf(n).ToArray()).Select(v => (double)v);
            var fromTimm = timmLogits.AsSpan(n * logits.Length, logits.Length).ToArray().Concat(timmEmbedding.AsSpan(n * embedding.Length, embedding.Length).ToArray()).Select(v => (double)v);
            ortVs64 = Math.Max(ortVs64, MaxDelta(exact, fromOrt));
            timmVs64 = Math.Max(timmVs64, MaxDelta(exact, fromTimm));
            scale = Math.Max(scale, exact.Max(Math.Abs));
        }
        output.WriteLine($"{caseName}: max |Δ| float64 vs ONNX Runtime {ortVs64:E2}, float64 vs timm {timmVs64:E2} (scale {scale:F2})");
        Assert.True(ortVs64 <= ReferenceCheck.Tolerance * scale, $"ONNX graph drifts {ortVs64:E2} from the float64 interpretation");
    }

    private static double MaxDelta(double[] exact, IEnumerable<double> other) => exact.Zip(other, (a, b) => Math.Abs(a - b)).Max();
}
