using System.CommandLine;
using System.Diagnostics;
using Dla.Cli.Predict;
using Dla.Modeling.Images;

namespace Dla.Cli.Bench;

/// <summary>
/// <c>dla bench decode</c>: what the CPU side of a worker delivers per second with no model: each encoded image
/// decoded and turned into the model's input tensor (timm's eval preprocessing: resize, centre crop, normalise),
/// by N threads over the same files held in memory, so disk and the model stay out of the number. The last line
/// is <c>N images/s</c>, for scripts (scripts/bench-decode.sh compares it with Pillow).
/// </summary>
internal static class DecodeBenchmark
{
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "Images to decode (read into memory first)" };
        var threads = new Option<int>("--threads") { Description = "Decoding threads", DefaultValueFactory = _ => 1 };
        var decode = new Option<DecodeMode>("--decode") { Description = "exact (timm-identical) or fast (DCT-domain JPEG downscaling)", DefaultValueFactory = _ => DecodeMode.Exact };
        var seconds = new Option<double>("--seconds") { Description = "How long to measure", DefaultValueFactory = _ => 10 };
        var size = new Option<int>("--size") { Description = "Model input size (square)", DefaultValueFactory = _ => 224 };
        var command = new Command("decode", "Images/s of decoding and preprocessing alone (no model)") { folder, threads, decode, seconds, size };
        command.SetAction(async (result, ct) =>
        {
            var files = ImageFiles.Expand([result.GetValue(folder)!]).ToList();
            if (files.Count == 0)
            {
                throw new ArgumentException($"No images in '{result.GetValue(folder)}'.");
            }
            var config = PreprocessConfig.ImageNetDefault.WithInputSize(result.GetValue(size), result.GetValue(size));
            var preprocessor = new ImagePreprocessor(config, ImageDecodeOptions.Default with { Mode = result.GetValue(decode) });
            var workers = Math.Max(1, result.GetValue(threads));
            var duration = TimeSpan.FromSeconds(Math.Max(0.1, result.GetValue(seconds)));

            // One pass first, which also leaves out files that are not decodable images: JIT, decoder tables and
            // buffers are not what is measured, and neither are errors.
            var tensor = new float[preprocessor.OutputLength];
            var images = new List<byte[]>();
            foreach (var file in files)
            {
                var bytes = await File.ReadAllBytesAsync(file, ct);
                try
                {
                    preprocessor.Preprocess(bytes, tensor);
                    images.Add(bytes);
                }
                catch (ImageDecodeException)
                {
                    // Counted below as skipped.
                }
            }
            if (images.Count == 0)
            {
                throw new ArgumentException($"No decodable images in '{result.GetValue(folder)}'.");
            }
            Console.WriteLine($"decode {result.GetValue(decode).ToString().ToLowerInvariant()}, {images.Count} images ({images.Sum(i => (long)i.Length) / 1024} KiB; {files.Count - images.Count} undecodable skipped), input {config.InputHeight}x{config.InputWidth} ({config.Interpolation}, crop {config.CropPct}), threads {workers}, cores {Environment.ProcessorCount}, {duration.TotalSeconds:0.#} s; JPEG decoder {ImagePreprocessor.JpegDecoder}");
            var counts = new long[workers];
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Factory.StartNew(() =>
            {
                var buffer = new float[preprocessor.OutputLength];
                for (var i = w; clock.Elapsed < duration && !ct.IsCancellationRequested; i += workers)
                {
                    preprocessor.Preprocess(images[i % images.Count], buffer);
                    counts[w]++;
                }
            }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
            var elapsed = clock.Elapsed.TotalSeconds;
            var total = counts.Sum();
            Console.WriteLine($"{total} images in {elapsed:F2} s, {1000 * elapsed * workers / total:F3} ms per image per thread");
            Console.WriteLine($"{total / elapsed:F1} images/s");
        });
        return command;
    }
}
