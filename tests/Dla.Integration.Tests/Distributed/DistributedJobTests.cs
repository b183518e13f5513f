using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dla.Integration.Tests.Hosting;

namespace Dla.Integration.Tests.Distributed;

/// <summary>
/// The distributed mode end to end: photographs and bad files in Azurite, the scheduler and a worker
/// as separate processes on RabbitMQ and PostgreSQL, a job submitted over HTTP.
/// </summary>
public sealed class DistributedJobTests(ITestOutputHelper output) : IAsyncDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dla-distributed-");
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AppProcessGroup _processes = new();

    public async ValueTask DisposeAsync()
    {
        await _processes.DisposeAsync();
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task A_job_over_blob_storage_gives_every_image_exactly_one_outcome_matching_predict()
    {
        var golden = Executables.Golden();
        var services = await IsolatedServices.CreateAsync(_ct);
        var files = Directory.GetFiles(Path.Combine(golden, "images", "files")).Order(StringComparer.Ordinal).ToList();
        foreach (var file in files)
        {
            await services.Container.UploadBlobAsync($"photos/{Path.GetFileName(file)}", BinaryData.FromBytes(await File.ReadAllBytesAsync(file, _ct)), _ct);
        }
        var weights = Path.Combine(golden, "models", "dla46_c", "weights.safetensors");
        var environment = services.Environment(_work.CreateSubdirectory("cache").FullName);
        var schedulerPort = FreePort.Next();
        var scheduler = _processes.Start(Executables.Scheduler, environment, schedulerPort);
        var worker = _processes.Start(Executables.Worker, environment, FreePort.Next());
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{schedulerPort}/") };
        await scheduler.WaitHealthyAsync($"http://127.0.0.1:{schedulerPort}/health/ready", TimeSpan.FromSeconds(60), _ct);

        var submitted = await api.PostAsJsonAsync("jobs", new { dataset = $"azure://{services.Container.Name}/photos/", model = "dla46_c", weights, top_k = 5, batch_size = 4, tasks = new[] { "classify", "embed" } }, _ct);
        Assert.Equal(System.Net.HttpStatusCode.Created, submitted.StatusCode);
        var jobId = (await submitted.Content.ReadFromJsonAsync<JsonNode>(_ct))!["id"]!.GetValue<string>();
        var progress = await JobPolling.WaitFinalAsync(api, $"jobs/{jobId}", TimeSpan.FromMinutes(5), _ct);
        output.WriteLine(progress.ToJsonString());

        Assert.Equal("succeeded", progress["state"]!.GetValue<string>());
        Assert.Equal(files.Count, progress["total"]!.GetValue<long>());
        Assert.Equal(files.Count - 3, progress["succeeded"]!.GetValue<long>());
        Assert.Equal(3, progress["failed"]!.GetValue<long>());
        Assert.Equal(0, progress["remaining"]!.GetValue<long>());

        var exported = (await api.GetStringAsync($"jobs/{jobId}/export?format=jsonl", _ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(files.Count, exported.Count);
        Assert.Equal(files.Count, exported.Select(e => e["path"]!.GetValue<string>()).Distinct().Count());
        var expected = await LocalPrediction.PredictAsync(files, weights, _work.CreateSubdirectory("local-cache").FullName, _ct);
        foreach (var row in exported)
        {
            var name = Path.GetFileName(row["path"]!.GetValue<string>());
            var local = expected[name];
            if (local.Error is not null)
            {
                Assert.Equal(local.Error.Kind, row["error"]!["kind"]!.GetValue<string>());
                continue;
            }
            Assert.Equal(local.TopK!.Select(c => c.Index), row["top_k"]!.AsArray().Select(c => c!["index"]!.GetValue<int>()));
            var embedding = row["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
            Assert.Equal(local.Embedding!.Length, embedding.Length);
            Assert.True(local.Embedding.Zip(embedding, (a, b) => Math.Abs(a - b)).Max() < 1e-5, $"{name}: embedding differs from predict");
        }

        var search = await api.PostAsJsonAsync($"jobs/{jobId}/search", new { image_path = "baboon.jpg", k = 3 }, _ct);
        var hits = (await search.Content.ReadFromJsonAsync<JsonNode>(_ct))!;
        output.WriteLine(hits.ToJsonString());
        Assert.True(search.IsSuccessStatusCode);
        Assert.Contains("baboon.jpg", hits.ToJsonString(), StringComparison.Ordinal);
        Assert.False(worker.HasExited);

        // The same job through the command line's client commands.
        var cli = new Dictionary<string, string?> { ["DLA_API_URL"] = $"http://127.0.0.1:{schedulerPort}" };
        var parquet = Path.Combine(_work.FullName, "results.parquet");
        await using (var export = AppProcess.Start(Executables.Cli, cli, "export", jobId, "-o", parquet))
        {
            await export.WaitForExitAsync(_ct);
            Assert.Equal(0, export.ExitCode);
        }
        var bytes = await File.ReadAllBytesAsync(parquet, _ct);
        Assert.Equal("PAR1"u8.ToArray(), bytes[..4]);
        Assert.Equal("PAR1"u8.ToArray(), bytes[^4..]);
        await using var status = AppProcess.Start(Executables.Cli, cli, "status", jobId, "--watch");
        await status.WaitForExitAsync(_ct);
        Assert.True(status.ExitCode == 0, status.Log);
        Assert.Contains($"Succeeded: {files.Count - 3} succeeded, 3 failed of {files.Count}", status.Log, StringComparison.Ordinal);
    }

}
