using Dla.Modeling.Checking;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Onnx;
using Dla.Modeling.Prediction;
using Dla.Modeling.Tests.Images;
using Dla.Modeling.Tests.Onnx;
using Dla.Modeling.Weights;

namespace Dla.Modeling.Tests.Prediction;

/// <summary>The whole path, file bytes to logits and embeddings, against timm's outputs for dla46_c on the golden images.</summary>
public sealed class GoldenImagePredictionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Predictions_on_golden_images_match_timm_outputs()
    {
        var images = GoldenImages.Require();
        var reference = SafeTensorsFile.Open(GoldenData.RequirePath("images", "outputs.safetensors"));
        using var session = OpenDla46C();
        var predictor = new BatchPredictor(session, new ImagePreprocessor(session.Description.Preprocess), new PredictorOptions(BatchSize: 4, TopK: 5, IncludeEmbeddings: true));
        var files = Directory.GetFiles(Path.Combine(images.Folder, "files")).Order(StringComparer.Ordinal).ToList();

        var results = await predictor.PredictAsync(files.Select(ImageSource.FromFile), TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal(files, results.Select(r => r.Id));
        foreach (var result in results)
        {
            var name = Path.GetFileName(result.Id);
            if (!images.Readable.Contains(name))
            {
                Assert.NotNull(result.Error);
                continue;
            }
            var logits = reference.ReadFloat32($"{name}/logits");
            var embedding = reference.ReadFloat32($"{name}/embedding");
            var expectedTop = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(5).ToArray();
            var embeddingDelta = result.Embedding!.Select((v, i) => Math.Abs(v - embedding[i])).Max();
            output.WriteLine($"{name}: top-5 {string.Join(",", result.TopK!.Select(c => c.Index))}, embedding max |Δ| {embeddingDelta:E2}");
            Assert.Equal(expectedTop, result.TopK!.Select(c => c.Index));
            Assert.True(embeddingDelta <= ReferenceCheck.Tolerance * Math.Max(1, embedding.Max(Math.Abs)));
        }
    }

    [Fact]
    public void Logits_from_preprocessed_golden_images_are_within_the_model_tolerance()
    {
        var images = GoldenImages.Require();
        var reference = SafeTensorsFile.Open(GoldenData.RequirePath("images", "outputs.safetensors"));
        using var session = OpenDla46C();
        var preprocessor = new ImagePreprocessor(session.Description.Preprocess);
        foreach (var name in images.Readable)
        {
            var outputs = session.Run(preprocessor.Preprocess(images.Bytes(name)), 1, 224, 224);
            var expected = reference.ReadFloat32($"{name}/logits");
            var delta = outputs.Logits.Select((v, i) => Math.Abs(v - expected[i])).Max();
            output.WriteLine($"{name}: logits max |Δ| {delta:E2}");
            Assert.True(delta <= ReferenceCheck.Tolerance * Math.Max(1, expected.Max(Math.Abs)), $"{name}: {delta:E2}");
        }
    }

    private static DlaSession OpenDla46C()
    {
        var architecture = GoldenModels.Architecture("dla46_c");
        var (network, weights) = ModelWeights.Load(SafeTensorsFile.Open(GoldenModels.Weights("dla46_c")), architecture);
        var description = new ModelDescription("dla46_c", architecture, network.NumClasses, architecture.EmbeddingDim, weights.Source, false, OnnxPrecision.Fp32, PreprocessConfig.ImageNetDefault);
        return DlaSession.Open(DlaOnnxExporter.Export(network, weights, description), "dla46_c");
    }
}
