using System.CommandLine;
using Dla.Cli.Predict;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Prediction;

namespace Dla.Cli.Bench;

/// <summary>
/// <c>dla bench fidelity</c>: what fast decoding (DCT-domain downscaling) changes against exact decoding on a
/// user's own images and model: the input tensors (mean and max |Δ| in normalised units), the predictions (top-1
/// agreement, top-5 overlap) and the embeddings (cosine similarity). docs/preprocessing.md reports it for the
/// golden dla46_c model.
/// </summary>
internal static class FidelityBenchmark
{
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "Images to compare (searched recursively)" };
        var model = new Option<string>("--model", "-m") { Description = "Variant, architecture .json, or .onnx file", DefaultValueFactory = _ => "dla34" };
        var limit = new Option<int>("--limit") { Description = "At most this many images", DefaultValueFactory = _ => 500 };
        var options = new ModelOptions();
        var command = new Command("fidelity", "Fast against exact decoding: tensor drift, top-k agreement, embedding cosine") { folder, model, limit };
        options.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var files = ImageFiles.Expand([result.GetValue(folder)!]).Take(Math.Max(1, result.GetValue(limit))).ToList();
            using var session = await options.OpenAsync(result, result.GetValue(model)!, ct);
            var config = session.Description.Preprocess;
            var exact = new ImagePreprocessor(config, ImageDecodeOptions.Default with { Mode = DecodeMode.Exact });
            var fast = new ImagePreprocessor(config, ImageDecodeOptions.Default with { Mode = DecodeMode.Fast });
            var comparisons = new List<Comparison>();
            foreach (var file in files)
            {
                ct.ThrowIfCancellationRequested();
                var bytes = await File.ReadAllBytesAsync(file, ct);
                float[] a, b;
                try
                {
                    a = exact.Preprocess(bytes);
                    b = fast.Preprocess(bytes);
                }
                catch (ImageDecodeException)
                {
                    continue;
                }
                comparisons.Add(Compare(session, a, b, config));
            }
            if (comparisons.Count == 0)
            {
                throw new ArgumentException($"No decodable images in '{result.GetValue(folder)}'.");
            }
            Console.WriteLine($"model {session.Description.Name} ({session.Description.WeightsSource}), {comparisons.Count} images of {result.GetValue(folder)}, fast against exact decoding:");
            Console.WriteLine($"tensor |Δ| (normalised units; one 8-bit level ≈ 0.017): mean {comparisons.Average(c => c.MeanDelta):F4}, largest per-image mean {comparisons.Max(c => c.MeanDelta):F4}, max {comparisons.Max(c => c.MaxDelta):F3}");
            Console.WriteLine($"top-1 agreement {100.0 * comparisons.Count(c => c.SameTop1) / comparisons.Count:F1} %, top-5 overlap {100 * comparisons.Average(c => c.Top5Overlap):F1} % (mean share of exact's top 5 in fast's top 5)");
            if (session.HasEmbedding)
            {
                var cosines = comparisons.Select(c => c.Cosine).Order().ToList();
                Console.WriteLine($"embedding cosine: mean {cosines.Average():F5}, median {cosines[cosines.Count / 2]:F5}, min {cosines[0]:F5}");
            }
        });
        return command;
    }

    private sealed record Comparison(double MeanDelta, double MaxDelta, bool SameTop1, double Top5Overlap, double Cosine);

    private static Comparison Compare(DlaSession session, float[] exact, float[] fast, PreprocessConfig config)
    {
        double sum = 0, max = 0;
        for (var i = 0; i < exact.Length; i++)
        {
            var d = Math.Abs(exact[i] - fast[i]);
            sum += d;
            max = Math.Max(max, d);
        }
        var input = new float[exact.Length * 2];
        exact.CopyTo(input, 0);
        fast.CopyTo(input, exact.Length);
        var outputs = session.Run(input, 2, config.InputHeight, config.InputWidth);
        var k = Math.Min(5, session.Classes);
        var top = new[] { TopK.Select(outputs.LogitsOf(0), k), TopK.Select(outputs.LogitsOf(1), k) };
        var overlap = top[0].Select(c => c.Index).Intersect(top[1].Select(c => c.Index)).Count() / (double)k;
        return new Comparison(sum / exact.Length, max, top[0][0].Index == top[1][0].Index, overlap,
            session.HasEmbedding ? Cosine(outputs.EmbeddingOf(0), outputs.EmbeddingOf(1)) : double.NaN);
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }
}
