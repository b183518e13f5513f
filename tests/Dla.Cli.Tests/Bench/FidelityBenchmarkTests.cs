using System.Globalization;
using System.Text.RegularExpressions;

namespace Dla.Cli.Tests.Bench;

public sealed partial class FidelityBenchmarkTests
{
    [Fact]
    public async Task Fast_decoding_keeps_the_golden_model_s_top_5_and_embeddings_on_the_golden_photographs()
    {
        var golden = CliHarness.Golden();
        var model = Path.Combine(golden, "models", "dla46_c");

        var (exit, output, _) = await CliHarness.RunAsync("bench", "fidelity", Path.Combine(golden, "images", "files"),
            "--model", Path.Combine(model, "case.json"), "--weights", Path.Combine(model, "weights.safetensors"));

        Assert.Equal(0, exit);
        // 13 readable golden files; the three bad-* files are left out, not counted as disagreements.
        Assert.Contains("13 images", output, StringComparison.Ordinal);
        // Measured 100 % and 0.9999 (docs/preprocessing.md); the bounds catch a geometry or colour mistake in fast
        // mode (a wrong crop or channel order drops the cosine far below 0.99), not the DCT filter's drift.
        Assert.True(Number(Top5Overlap(), output) >= 90, output);
        Assert.True(Number(CosineMin(), output) >= 0.99, output);
        Assert.True(Number(MeanDelta(), output) is > 0 and < 0.05, output);
    }

    private static double Number(Regex pattern, string output) =>
        double.Parse(pattern.Match(output) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException($"no match for {pattern} in:\n{output}"), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"top-5 overlap ([\d.]+) %")]
    private static partial Regex Top5Overlap();

    [GeneratedRegex(@"embedding cosine: .* min ([\d.]+)")]
    private static partial Regex CosineMin();

    [GeneratedRegex(@"tensor \|Δ\| .*: mean ([\d.]+)")]
    private static partial Regex MeanDelta();
}
