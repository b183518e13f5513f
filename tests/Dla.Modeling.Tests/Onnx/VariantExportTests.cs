using Dla.Modeling.Architecture;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Onnx;
using Dla.Modeling.Weights;

namespace Dla.Modeling.Tests.Onnx;

public sealed class VariantExportTests
{
    public static TheoryData<string> Variants => [.. DlaVariants.All.Select(v => v.Name)];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_variant_exports_loads_and_produces_outputs_of_the_right_shapes(string name)
    {
        var variant = DlaVariants.Find(name)!;
        var network = DlaNetwork.Build(variant.Architecture);
        var weights = RandomWeights.Create(network, seed: 7);
        var description = new ModelDescription(name, variant.Architecture, 1000, variant.Architecture.EmbeddingDim, weights.Source, true, OnnxPrecision.Fp32, PreprocessConfig.ImageNetDefault);

        using var session = DlaSession.Open(DlaOnnxExporter.Export(network, weights, description), name);
        var outputs = session.Run(new float[2 * 3 * 64 * 96], 2, 64, 96);

        Assert.Equal(1000, session.Classes);
        Assert.Equal(variant.Architecture.EmbeddingDim, session.EmbeddingDim);
        Assert.Equal(2 * 1000, outputs.Logits.Length);
        Assert.Equal(2 * variant.Architecture.EmbeddingDim, outputs.Embeddings!.Length);
        Assert.All(outputs.Logits, v => Assert.True(float.IsFinite(v)));
        Assert.True(session.Description.Untrained);
        Assert.Equal(name, session.Description.Name);
        Assert.Equal(variant.Architecture, session.Description.Architecture);
    }

    [Theory]
    [InlineData(224, 200)]
    [InlineData(100, 224)]
    public void Input_sizes_that_are_not_multiples_of_32_are_refused_clearly(int height, int width)
    {
        var network = DlaNetwork.Build(GoldenModelsFree.TinyBasic, 10);
        var weights = RandomWeights.Create(network, 1);
        var description = new ModelDescription("tiny", network.Architecture, 10, 128, weights.Source, true, OnnxPrecision.Fp32, PreprocessConfig.ImageNetDefault);
        using var session = DlaSession.Open(DlaOnnxExporter.Export(network, weights, description), "tiny");

        var error = Assert.Throws<ArgumentException>(() => session.Run(new float[3 * height * width], 1, height, width));
        Assert.Contains("multiples of 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_weights_are_reproducible_from_the_seed()
    {
        var network = DlaNetwork.Build(GoldenModelsFree.TinyBasic, 10);

        Assert.Equal(RandomWeights.Create(network, 3)["fc.weight"], RandomWeights.Create(network, 3)["fc.weight"]);
        Assert.NotEqual(RandomWeights.Create(network, 3)["fc.weight"], RandomWeights.Create(network, 4)["fc.weight"]);
    }
}

/// <summary>Architectures for tests that must not depend on the shared golden folder.</summary>
internal static class GoldenModelsFree
{
    public static DlaArchitecture TinyBasic { get; } = new([1, 1, 1, 2, 2, 1], [8, 16, 16, 32, 64, 128], DlaBlockType.Basic);
}
