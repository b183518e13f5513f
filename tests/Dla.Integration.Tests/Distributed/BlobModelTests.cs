using Dla.Persistence.Database;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dla.Integration.Tests.Hosting;

namespace Dla.Integration.Tests.Distributed;

/// <summary>
/// Weights in blob storage (docs/models.md): a job pinned to their SHA-256 at submission labels exactly as
/// <c>dla predict</c> does with the same file, and a blob replaced mid-job fails the remaining batches with
/// weights_changed instead of labelling the rest with another model. Real scheduler and worker processes.
/// </summary>
public sealed class BlobModelTests : IAsyncDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dla-blob-model-");
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AppProcessGroup _processes = new();

    public async ValueTask DisposeAsync()
    {
        await _processes.DisposeAsync();
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task A_job_with_weights_in_blob_storage_is_pinned_and_labels_as_predict_with_the_same_file()
    {
        var (services, api, files, weights) = await StartAsync(copies: 1);
        var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(weights, _ct)));

        var missing = await api.PostAsJsonAsync("jobs", new { dataset = $"azure://{services.Container.Name}/photos/", model = "dla46_c", weights = $"azure://{services.Container.Name}/models/nope.safetensors" }, _ct);
        var job = await SubmitAsync(api, services, batchSize: 4);
        var progress = await JobPolling.WaitFinalAsync(api, $"jobs/{job["id"]}", TimeSpan.FromMinutes(5), _ct);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("There is no blob", (await missing.Content.ReadFromJsonAsync<JsonNode>(_ct))!["errors"]!["weights"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(sha, job["weights_sha256"]!.GetValue<string>());
        Assert.StartsWith("1.0.0", job["dla_version"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("succeeded", progress["state"]!.GetValue<string>());
        var expected = await LocalPrediction.PredictAsync(files, weights, _work.CreateSubdirectory("local-cache").FullName, _ct);
        var rows = await ExportAsync(api, job);
        Assert.Equal(files.Count, rows.Count);
        foreach (var row in rows.Where(r => r["top_k"] is not null))
        {
            Assert.Equal(expected[Path.GetFileName(row["path"]!.GetValue<string>())].TopK![0].Index, row["top_k"]![0]!["index"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Weights_replaced_mid_job_fail_the_remaining_batches_with_weights_changed_and_mix_nothing()
    {
        var (services, api, files, weights) = await StartAsync(copies: 12);
        var job = await SubmitAsync(api, services, batchSize: 1);
        var before = await WaitSucceededAtLeastAsync(api, job, 5);
        Assert.False(before["is_final"]!.GetValue<bool>(), $"the job ended before its weights could be replaced: {before}");

        // Same size, other content: only the hash can tell.
        var bytes = await File.ReadAllBytesAsync(weights, _ct);
        bytes[^1] ^= 0xFF;
        await services.Container.GetBlobClient("models/dla46_c.safetensors").UploadAsync(BinaryData.FromBytes(bytes), overwrite: true, _ct);
        var progress = await JobPolling.WaitFinalAsync(api, $"jobs/{job["id"]}", TimeSpan.FromMinutes(5), _ct);

        Assert.Equal("failed", progress["state"]!.GetValue<string>());
        var errors = await BatchErrorsAsync(services, job);
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Contains("weights_changed", e, StringComparison.Ordinal));
        var expected = await LocalPrediction.PredictAsync(files.Distinct(), weights, _work.CreateSubdirectory("local-cache").FullName, _ct);
        var labelled = (await ExportAsync(api, job)).Where(r => r["top_k"] is not null).ToList();
        Assert.InRange(labelled.Count, 5, files.Count - errors.Count);
        Assert.All(labelled, row => Assert.Equal(expected[OriginalName(row)].TopK![0].Index, row["top_k"]![0]!["index"]!.GetValue<int>()));
    }

    /// <summary>Services with the golden photographs (each <paramref name="copies"/> times) and dla46_c's weights in one container; a scheduler and a worker.</summary>
    private async Task<(IsolatedServices Services, HttpClient Api, List<string> Files, string Weights)> StartAsync(int copies)
    {
        var golden = Executables.Golden();
        var services = await IsolatedServices.CreateAsync(_ct);
        var photos = Directory.GetFiles(Path.Combine(golden, "images", "files")).Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".png", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();
        var files = new List<string>();
        for (var copy = 0; copy < copies; copy++)
        {
            foreach (var photo in photos)
            {
                await services.Container.UploadBlobAsync($"photos/{copy:D2}/{Path.GetFileName(photo)}", BinaryData.FromBytes(await File.ReadAllBytesAsync(photo, _ct)), _ct);
                files.Add(photo);
            }
        }
        var weights = Path.Combine(golden, "models", "dla46_c", "weights.safetensors");
        await services.Container.UploadBlobAsync("models/dla46_c.safetensors", BinaryData.FromBytes(await File.ReadAllBytesAsync(weights, _ct)), _ct);
        var environment = services.Environment(_work.CreateSubdirectory("cache").FullName);
        var schedulerPort = FreePort.Next();
        var scheduler = _processes.Start(Executables.Scheduler, environment, schedulerPort);
        _processes.Start(Executables.Worker, new(environment) { ["Worker__RetryCount"] = "1" }, FreePort.Next());
        var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{schedulerPort}/") };
        await scheduler.WaitHealthyAsync($"http://127.0.0.1:{schedulerPort}/health/ready", TimeSpan.FromSeconds(60), _ct);
        return (services, api, files, weights);
    }

    private async Task<JsonNode> SubmitAsync(HttpClient api, IsolatedServices services, int batchSize)
    {
        var response = await api.PostAsJsonAsync("jobs", new
        {
            dataset = $"azure://{services.Container.Name}/photos/",
            model = "dla46_c",
            weights = $"azure://{services.Container.Name}/models/dla46_c.safetensors",
            batch_size = batchSize,
        }, _ct);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>(_ct))!;
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body.ToJsonString());
        return body;
    }

    private async Task<List<JsonNode>> ExportAsync(HttpClient api, JsonNode job) =>
        (await api.GetStringAsync($"jobs/{job["id"]}/export?format=jsonl", _ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();

    private async Task<JsonNode> WaitSucceededAtLeastAsync(HttpClient api, JsonNode job, long succeeded)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var progress = (await api.GetFromJsonAsync<JsonNode>($"jobs/{job["id"]}", _ct))!["progress"]!;
            if (progress["succeeded"]!.GetValue<long>() >= succeeded || progress["is_final"]!.GetValue<bool>() || DateTime.UtcNow > deadline)
            {
                return progress;
            }
            await Task.Delay(100, _ct);
        }
    }

    /// <summary>The errors the failed batches of the job carry.</summary>
    private async Task<List<string>> BatchErrorsAsync(IsolatedServices services, JsonNode job)
    {
        await using var connection = new Npgsql.NpgsqlConnection(PostgresDlaDbContext.WithSearchPath(services.Postgres));
        await connection.OpenAsync(_ct);
        await using var command = new Npgsql.NpgsqlCommand("""SELECT coalesce(last_error, '') FROM batches WHERE job_id = $1 AND state = 'Failed'""", connection)
        {
            Parameters = { new() { Value = Guid.Parse(job["id"]!.GetValue<string>()) } },
        };
        await using var reader = await command.ExecuteReaderAsync(_ct);
        var errors = new List<string>();
        while (await reader.ReadAsync(_ct))
        {
            errors.Add(reader.GetString(0));
        }
        return errors;
    }

    private static string OriginalName(JsonNode row) => Path.GetFileName(row["path"]!.GetValue<string>());

}
