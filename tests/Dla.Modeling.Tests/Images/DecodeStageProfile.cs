using System.Buffers;
using System.Diagnostics;
using Dla.Modeling.Images;
using Dla.Testing;

namespace Dla.Modeling.Tests.Images;

/// <summary>
/// Where the time of one image's preprocessing goes, stage by stage — decode (Skia/libjpeg-turbo into RGBA),
/// the Pillow-exact resize of the crop window, normalisation into the CHW tensor — measured on the same
/// photographs as scripts/bench-decode.sh. The profile to read before optimising (docs/benchmarks.md).
/// A benchmark: prints, asserts no timing, runs only with <c>DLA_BENCH=1</c>; <c>DLA_BENCH_FOLDER</c> picks the
/// photographs (default: the golden ones).
/// </summary>
public sealed class DecodeStageProfile(ITestOutputHelper output)
{
    [Theory]
    [InlineData(DecodeMode.Exact)]
    [InlineData(DecodeMode.Fast)]
    public void Time_per_stage(DecodeMode mode)
    {
        Benchmarks.SkipUnlessEnabled();
        var folder = Environment.GetEnvironmentVariable("DLA_BENCH_FOLDER") ?? Path.Combine(GoldenData.RequireRoot(), "images", "files");
        var images = Directory.GetFiles(folder).Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase)).Select(File.ReadAllBytes)
            .Where(b => { try { new ImagePreprocessor(PreprocessConfig.ImageNetDefault).Preprocess(b); return true; } catch (ImageDecodeException) { return false; } }).ToList();
        var config = PreprocessConfig.ImageNetDefault;
        var options = ImageDecodeOptions.Default with { Mode = mode };
        var normalizer = new ChwNormalizer(config.Mean, config.Std);
        var tensor = new float[3 * config.InputHeight * config.InputWidth];
        var (decode, resize, normalize) = (TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        var count = 0;
        for (var round = 0; round < 6; round++)
        {
            foreach (var encoded in images)
            {
                var clock = Stopwatch.StartNew();
                using var image = ImageDecoder.Decode(encoded, options, (w, h) => { var g = EvalGeometry.For(w, h, config); return (g.ResizedWidth, g.ResizedHeight); });
                var decoded = clock.Elapsed;
                var geometry = EvalGeometry.For(image.SourceWidth, image.SourceHeight, config);
                var window = new PixelWindow(Math.Max(geometry.CropLeft, 0), Math.Max(geometry.CropTop, 0),
                    Math.Min(geometry.CropLeft + config.InputWidth, geometry.ResizedWidth) - Math.Max(geometry.CropLeft, 0),
                    Math.Min(geometry.CropTop + config.InputHeight, geometry.ResizedHeight) - Math.Max(geometry.CropTop, 0));
                var rgb = ArrayPool<byte>.Shared.Rent(window.Width * window.Height * 3);
                PillowResize.ResizeWindow(image.Buffer, image.Width, image.Height, DecodedImage.BytesPerPixel, geometry.ResizedWidth, geometry.ResizedHeight, window, rgb);
                var resized = clock.Elapsed;
                normalizer.Write(rgb, window with { Left = window.Left - geometry.CropLeft, Top = window.Top - geometry.CropTop }, config.InputWidth, config.InputHeight, tensor);
                var done = clock.Elapsed;
                ArrayPool<byte>.Shared.Return(rgb);
                if (round == 0)
                {
                    continue; // warm-up
                }
                (decode, resize, normalize) = (decode + decoded, resize + (resized - decoded), normalize + (done - resized));
                count++;
            }
        }
        var total = decode + resize + normalize;
        string Share(TimeSpan t) => $"{t.TotalMilliseconds / count:F3} ms ({100 * t / total:F0} %)";
        output.WriteLine($"{mode}: {images.Count} photographs × 5 rounds from {folder}: decode {Share(decode)}, resize {Share(resize)}, normalise {Share(normalize)}; total {total.TotalMilliseconds / count:F3} ms per image");
    }
}
