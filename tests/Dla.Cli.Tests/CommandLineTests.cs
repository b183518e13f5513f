using System.Text.Json;

namespace Dla.Cli.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public async Task Model_list_json_has_every_card_variant_with_exact_counts()
    {
        var (exit, output, _) = await CliHarness.RunAsync("model", "list", "--json");

        Assert.Equal(0, exit);
        var rows = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal(12, rows.Count);
        var dla34 = rows.Single(r => r.GetProperty("name").GetString() == "dla34");
        Assert.Equal(15_742_104, dla34.GetProperty("parameters").GetInt64());
        Assert.Equal(3_060_043_776, dla34.GetProperty("macs").GetInt64());
        Assert.Equal(512, dla34.GetProperty("embedding_dim").GetInt32());
        Assert.Equal(74.62, dla34.GetProperty("top1").GetDouble());
    }

    [Fact]
    public async Task Model_check_exits_0_within_tolerance_and_1_outside()
    {
        var models = Path.Combine(CliHarness.Golden(), "models", "dla46_c");
        string[] args = ["model", "check", Path.Combine(models, "case.json"), "--weights", Path.Combine(models, "weights.safetensors"), "--against", Path.Combine(models, "io.safetensors")];

        var pass = await CliHarness.RunAsync(args);
        var fail = await CliHarness.RunAsync([.. args, "--tolerance", "1e-9"]);

        Assert.Equal(0, pass.Exit);
        Assert.Contains("logits", pass.Out, StringComparison.Ordinal);
        Assert.Contains("embedding", pass.Out, StringComparison.Ordinal);
        Assert.Contains("PASS", pass.Out, StringComparison.Ordinal);
        Assert.Equal(1, fail.Exit);
        Assert.Contains("FAIL", fail.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_writes_one_json_line_per_image_with_typed_errors_for_bad_files()
    {
        var golden = CliHarness.Golden();
        var weights = Path.Combine(golden, "models", "dla46_c", "weights.safetensors");
        var files = Path.Combine(golden, "images", "files");

        var (exit, output, _) = await CliHarness.RunAsync("predict", files, Path.Combine(files, "no-such-file.jpg"), "--model", "dla46_c", "--weights", weights, "--top-k", "3", "--embeddings");

        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Directory.GetFiles(files).Length + 1, lines.Count);
        var baboon = lines.Single(l => l.GetProperty("path").GetString()!.EndsWith("baboon.jpg", StringComparison.Ordinal));
        Assert.Equal(3, baboon.GetProperty("top_k").GetArrayLength());
        Assert.Equal(256, baboon.GetProperty("embedding").GetArrayLength());
        Assert.Equal("truncated", ErrorKind(lines, "bad-truncated.jpg"));
        Assert.Equal("unreadable", ErrorKind(lines, "bad-empty.jpg"));
        Assert.Equal("read_failed", ErrorKind(lines, "no-such-file.jpg"));
    }

    [Fact]
    public async Task Predict_csv_follows_timm_inference_columns_and_random_weights_are_flagged()
    {
        var files = Path.Combine(CliHarness.Golden(), "images", "files");

        var (exit, output, error) = await CliHarness.RunAsync("predict", Path.Combine(files, "baboon.jpg"), "--model", """{"levels": [1,1,1,2,2,1], "channels": [8,16,16,32,64,128], "block": "basic"}""", "--weights", "random", "--num-classes", "10", "--format", "csv", "--top-k", "2");

        Assert.Equal(0, exit);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("image,index_0,index_1,label_0,label_1,prob_0,prob_1,error", rows[0]);
        Assert.Equal(2, rows.Length);
        Assert.Contains("class_", rows[1], StringComparison.Ordinal);
        Assert.Contains("untrained", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("resnet50", "Unknown model 'resnet50'")]
    [InlineData("""{"levels": [1,1], "channels": [1], "block": "basic"}""", "not a valid DLA architecture")]
    public async Task Bad_models_exit_2_with_a_clear_message(string model, string message)
    {
        var (exit, _, error) = await CliHarness.RunAsync("model", "export", model, "--weights", "random", "-o", Path.GetTempFileName());

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing-folder", "dla46_c", "dataset: Folder")]
    [InlineData(".", "dla99", "model: Unknown model 'dla99'")]
    public async Task A_run_with_a_typo_exits_2_naming_the_field_not_with_a_stack_trace(string dataset, string model, string message)
    {
        var work = Directory.CreateTempSubdirectory("dla-run-typo-");
        try
        {
            var folder = dataset == "." ? work.FullName : Path.Combine(work.FullName, dataset);
            var (exit, _, error) = await CliHarness.RunAsync("run", folder, "--model", model, "--weights", "random", "--data-dir", Path.Combine(work.FullName, "data"));

            Assert.Equal(2, exit);
            Assert.Contains(message, error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Bench_decode_measures_decodable_images_and_ends_with_the_rate()
    {
        var work = Directory.CreateTempSubdirectory("dla-bench-decode-");
        try
        {
            using (var bitmap = new SkiaSharp.SKBitmap(320, 240))
            {
                bitmap.Erase(new SkiaSharp.SKColor(10, 200, 90));
                using var jpeg = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90);
                await File.WriteAllBytesAsync(Path.Combine(work.FullName, "photo.jpg"), jpeg.ToArray(), TestContext.Current.CancellationToken);
            }
            await File.WriteAllTextAsync(Path.Combine(work.FullName, "not-an-image.jpg"), "text", TestContext.Current.CancellationToken);

            var (exit, output, error) = await CliHarness.RunAsync("bench", "decode", work.FullName, "--decode", "fast", "--seconds", "0.2");

            Assert.True(exit == 0, error);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("decode fast, 1 images", lines[0], StringComparison.Ordinal);
            Assert.Contains("1 undecodable skipped", lines[0], StringComparison.Ordinal);
            Assert.Matches(@"^\d+(\.\d+)? images/s$", lines[^1].Trim());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string? ErrorKind(List<JsonElement> lines, string file) =>
        lines.Single(l => l.GetProperty("path").GetString()!.EndsWith(file, StringComparison.Ordinal)).GetProperty("error").GetProperty("kind").GetString();
}
