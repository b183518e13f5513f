using System.CommandLine;
using System.Diagnostics;
using Dla.Modeling.Images;
using Dla.Modeling.Prediction;

namespace Dla.Cli.Predict;

/// <summary><c>dla predict &lt;image | folder&gt;... --model ...</c>: one line per image, decoding in parallel with inference.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Image files and folders (searched recursively)", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model", "-m") { Description = "Variant, architecture .json, or .onnx file", Required = true };
        var topK = new Option<int>("--top-k") { Description = "Classes per image", DefaultValueFactory = _ => 5 };
        var embeddings = new Option<bool>("--embeddings") { Description = "Include the embedding (pooled features)" };
        var format = new Option<string>("--format") { Description = "jsonl or csv", DefaultValueFactory = _ => "jsonl" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Output file (default: standard output)" };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per inference call", DefaultValueFactory = _ => 16 };
        var decode = new Option<DecodeMode>("--decode") { Description = "exact (timm-identical) or fast (DCT-domain JPEG downscaling)", DefaultValueFactory = _ => DecodeMode.Exact };
        var options = new ModelOptions();
        var command = new Command("predict", "Classify images and/or extract embeddings") { inputs, model, topK, embeddings, format, output, batchSize, decode };
        options.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            if (result.GetValue(batchSize) is < 1 or > 4096 || result.GetValue(topK) < 0)
            {
                throw new ArgumentException("--batch-size must be within 1..4096 and --top-k non-negative.");
            }
            using var session = await options.OpenAsync(result, result.GetValue(model)!, ct, sharesCoresWithDecoding: true);
            if (result.GetValue(embeddings) && !session.HasEmbedding)
            {
                Console.Error.WriteLine($"warning: {session.Description.Name} has no 'embedding' output (a plain torch.onnx.export); lines carry no embedding.");
            }
            var preprocessor = new ImagePreprocessor(session.Description.Preprocess, ImageDecodeOptions.Default with { Mode = result.GetValue(decode) });
            var predictor = new BatchPredictor(session, preprocessor, new PredictorOptions(result.GetValue(batchSize), Math.Min(result.GetValue(topK), session.Classes), result.GetValue(embeddings)));
            var file = result.GetValue(output);
            await using var writer = file is null ? Console.Out : new StreamWriter(file.FullName);
            var lines = PredictionWriter.Create(result.GetValue(format)!, writer, Math.Min(result.GetValue(topK), session.Classes), result.GetValue(embeddings) && session.HasEmbedding, session.Description.Untrained);
            var sources = ImageFiles.Expand(result.GetValue(inputs)!).Select(ImageSource.FromFile);
            int done = 0, failed = 0;
            var clock = Stopwatch.StartNew();
            await foreach (var prediction in predictor.PredictAsync(sources, ct))
            {
                lines.Write(prediction);
                done++;
                failed += prediction.Succeeded ? 0 : 1;
            }
            await writer.FlushAsync(ct);
            Console.Error.WriteLine($"{done} images ({failed} failed) in {clock.Elapsed.TotalSeconds:F1} s, {done / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):F1} images/s on {session.Provider}");
            return failed == done && done > 0 ? 1 : 0;
        });
        return command;
    }
}
