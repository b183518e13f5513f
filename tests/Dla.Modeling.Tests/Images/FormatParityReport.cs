using Dla.Modeling.Images;

namespace Dla.Modeling.Tests.Images;

/// <summary>
/// Exact mode against Pillow on formats without golden data (PNG 8- and 16-bit, palette, WebP, CMYK and
/// progressive JPEG): scripts/bench-formats.sh writes each image with Pillow's timm tensor beside it
/// (<c>name.ext.f32</c>: 3×224×224 float32, little-endian) into <c>DLA_FORMATS_FOLDER</c>; this prints mean and
/// max |Δ| per format. A report, not a gate: it needs Pillow's files, which only the script makes.
/// </summary>
public sealed class FormatParityReport(ITestOutputHelper output)
{
    [Fact]
    public void Exact_mode_against_pillow_per_format()
    {
        var folder = Environment.GetEnvironmentVariable("DLA_FORMATS_FOLDER");
        Assert.SkipWhen(string.IsNullOrEmpty(folder), "A report: scripts/bench-formats.sh sets DLA_FORMATS_FOLDER.");
        var preprocessor = new ImagePreprocessor(PreprocessConfig.ImageNetDefault);
        foreach (var format in Directory.GetDirectories(folder!).Order(StringComparer.Ordinal))
        {
            var pairs = Directory.GetFiles(format, "*.f32").Order(StringComparer.Ordinal).ToList();
            double meanSum = 0, max = 0;
            var identical = 0;
            foreach (var reference in pairs)
            {
                var expected = new float[preprocessor.OutputLength];
                File.ReadAllBytes(reference).AsSpan().CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected.AsSpan()));
                var (mean, largest) = GoldenImages.Diff(preprocessor.Preprocess(File.ReadAllBytes(reference[..^".f32".Length])), expected);
                meanSum += mean;
                max = Math.Max(max, largest);
                identical += largest == 0 ? 1 : 0;
            }
            Assert.NotEmpty(pairs);
            output.WriteLine($"{Path.GetFileName(format),-16} {pairs.Count,4} images: mean |Δ| {meanSum / pairs.Count:E2}, max |Δ| {max:E2}, identical to Pillow {identical}/{pairs.Count}");
        }
    }
}
