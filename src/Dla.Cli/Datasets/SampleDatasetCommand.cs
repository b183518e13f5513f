using System.CommandLine;
using SkiaSharp;

namespace Dla.Cli.Datasets;

/// <summary>
/// <c>dla dataset sample &lt;folder&gt;</c>: builds a dataset of JPEG photographs at a fixed size from
/// source photos (varied crops and flips, so a few sources give many distinct images), plus
/// optionally copies of corrupt files. Sources are real photographs where the machine has them
/// (scripts/sample-photos.sh, the golden images); with none, synthetic scenes are drawn.
/// </summary>
internal static class SampleDatasetCommand
{
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("folder") { Description = "Where to write the images" };
        var count = new Option<int>("--count") { Description = "Number of images", DefaultValueFactory = _ => 200 };
        var size = new Option<string>("--size") { Description = "WIDTHxHEIGHT of each image", DefaultValueFactory = _ => "1000x750" };
        var sources = new Option<string[]>("--sources") { Description = "Folders of source photographs", AllowMultipleArgumentsPerToken = true };
        var bad = new Option<string[]>("--bad") { Description = "Corrupt files to copy in as they are", AllowMultipleArgumentsPerToken = true };
        var seed = new Option<int>("--seed") { Description = "Seed for crops and flips", DefaultValueFactory = _ => 1 };
        var command = new Command("sample", "Build a sample dataset of photographs") { folder, count, size, sources, bad, seed };
        command.SetAction(result =>
        {
            var parts = result.GetValue(size)!.Split('x');
            var (width, height) = (int.Parse(parts[0]), int.Parse(parts[1]));
            var target = result.GetValue(folder)!;
            target.Create();
            var photos = (result.GetValue(sources) ?? []).Where(Directory.Exists)
                .SelectMany(d => Directory.EnumerateFiles(d)).Order(StringComparer.Ordinal)
                .Select(TryDecode).OfType<SKBitmap>().ToList();
            var random = new Random(result.GetValue(seed));
            var n = result.GetValue(count);
            for (var i = 0; i < n; i++)
            {
                using var image = photos.Count > 0 ? Crop(photos[i % photos.Count], width, height, random) : Synthetic(width, height, random);
                using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
                File.WriteAllBytes(Path.Combine(target.FullName, $"img_{i:D5}.jpg"), data.ToArray());
            }
            foreach (var file in result.GetValue(bad) ?? [])
            {
                File.Copy(file, Path.Combine(target.FullName, Path.GetFileName(file)), overwrite: true);
            }
            Console.WriteLine($"{n} images of {width}x{height} from {(photos.Count > 0 ? $"{photos.Count} photographs" : "synthetic scenes")} in {target.FullName}");
            photos.ForEach(p => p.Dispose());
        });
        return command;
    }

    private static SKBitmap? TryDecode(string path)
    {
        var bitmap = SKBitmap.Decode(path);
        return bitmap is { Width: >= 64, Height: >= 64 } ? bitmap : null;
    }

    /// <summary>A random crop with the target's aspect ratio (60–100 % of the largest), resized and maybe mirrored.</summary>
    private static SKImage Crop(SKBitmap source, int width, int height, Random random)
    {
        var aspect = (double)width / height;
        var maxW = Math.Min(source.Width, source.Height * aspect);
        var scale = 0.6 + random.NextDouble() * 0.4;
        var cw = maxW * scale;
        var ch = cw / aspect;
        var x = random.NextDouble() * (source.Width - cw);
        var y = random.NextDouble() * (source.Height - ch);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var canvas = surface.Canvas;
        if (random.Next(2) == 1)
        {
            canvas.Scale(-1, 1, width / 2f, 0);
        }
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, new SKRect((float)x, (float)y, (float)(x + cw), (float)(y + ch)), new SKRect(0, 0, width, height), new SKSamplingOptions(SKCubicResampler.Mitchell));
        return surface.Snapshot();
    }

    private static SKImage Synthetic(int width, int height, Random random)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var canvas = surface.Canvas;
        canvas.Clear(new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        using var paint = new SKPaint { IsAntialias = true };
        for (var s = 0; s < 12; s++)
        {
            paint.Color = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            canvas.DrawCircle(random.Next(width), random.Next(height), random.Next(20, Math.Max(21, height / 3)), paint);
        }
        return surface.Snapshot();
    }
}
