using System.Net.Http.Json;
using System.Text.Json;
using SkiaSharp;

namespace Dla.Cli.Tests.Jobs;

/// <summary>
/// A fine-tuned classifier's class names, given as a labels file on submission, name the stored top-k and
/// come back in the exports (a real scheduler and worker in process; random weights with three classes).
/// </summary>
public sealed class LabelsRoundTripTests : IAsyncLifetime
{
    private static readonly string[] Names = ["tabby cat", "golden retriever", "barn owl"];
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dla-labels-");
    private LocalScheduler? _scheduler;

    public async ValueTask InitializeAsync()
    {
        var images = _work.CreateSubdirectory("images");
        for (var i = 0; i < 4; i++)
        {
            using var bitmap = new SKBitmap(48, 40);
            bitmap.Erase(new SKColor((byte)(60 * i), 120, (byte)(255 - (60 * i))));
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            await File.WriteAllBytesAsync(Path.Combine(images.FullName, $"img-{i}.png"), png.ToArray(), TestContext.Current.CancellationToken);
        }
        await File.WriteAllLinesAsync(Path.Combine(_work.FullName, "names.txt"), Names, TestContext.Current.CancellationToken);
        _scheduler = await LocalScheduler.StartAsync(_work.FullName, withWorker: true, new Dictionary<string, string?> { ["Models:AllowedRoots:0"] = _work.FullName });
    }

    public async ValueTask DisposeAsync()
    {
        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync();
        }
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task A_labels_file_names_the_top_k_in_the_database_and_every_export()
    {
        var ct = TestContext.Current.CancellationToken;
        using var api = new HttpClient { BaseAddress = new Uri(_scheduler!.Address) };
        var (exit, output, error) = await CliHarness.RunAsync("submit", Path.Combine(_work.FullName, "images"), "--model", "dla46_c", "--weights", "random", "--num-classes", "3",
            "--labels", Path.Combine(_work.FullName, "names.txt"), "--top-k", "3", "--tasks", "classify", "--batch-size", "2", "--api", _scheduler.Address);
        Assert.True(exit == 0, error);
        var id = Guid.Parse(output.Trim());
        Assert.Equal(3, (await api.GetFromJsonAsync<JsonElement>($"/jobs/{id}", ct)).GetProperty("label_count").GetInt32());

        JsonElement progress;
        do
        {
            await Task.Delay(200, ct);
            progress = (await api.GetFromJsonAsync<JsonElement>($"/jobs/{id}", ct)).GetProperty("progress");
        }
        while (!progress.GetProperty("is_final").GetBoolean());

        Assert.Equal(("succeeded", 4), (progress.GetProperty("state").GetString(), progress.GetProperty("succeeded").GetInt32()));
        var rows = (await api.GetStringAsync($"/jobs/{id}/export?format=jsonl", ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(4, rows.Count);
        foreach (var top in rows.SelectMany(r => r.GetProperty("top_k").EnumerateArray()))
        {
            Assert.Equal(Names[top.GetProperty("index").GetInt32()], top.GetProperty("label").GetString());
        }
        var results = await api.GetFromJsonAsync<JsonElement>($"/jobs/{id}/results", ct);
        Assert.All(results.GetProperty("items").EnumerateArray(), r => Assert.Contains(r.GetProperty("top_k")[0].GetProperty("label").GetString(), Names));
        var csv = await api.GetStringAsync($"/jobs/{id}/export?format=csv", ct);
        Assert.Contains(Names, name => csv.Contains(name, StringComparison.Ordinal));
    }
}
