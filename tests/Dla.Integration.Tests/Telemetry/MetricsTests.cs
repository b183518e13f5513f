using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dla.Integration.Tests.Hosting;

namespace Dla.Integration.Tests.Telemetry;

/// <summary>
/// The scheduler and a worker as separate processes (RabbitMQ, PostgreSQL, Azurite) run a small job; then
/// both <c>/metrics</c> endpoints are scraped and must agree with what the job stored.
/// </summary>
public sealed class MetricsTests(ITestOutputHelper output) : IAsyncDisposable
{
    private static readonly string[] Files = ["baboon.jpg", "chelsea.png", "coffee.png", "fruits.jpg", "synthetic-tiny-31x17.png", "bad-empty.jpg", "bad-not-an-image.jpg", "bad-truncated.jpg"];
    private const int BatchSize = 3;

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dla-metrics-");
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AppProcessGroup _processes = new();

    public async ValueTask DisposeAsync()
    {
        await _processes.DisposeAsync();
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task Metrics_of_the_scheduler_and_the_worker_agree_with_a_finished_job()
    {
        var golden = Executables.Golden();
        var services = await IsolatedServices.CreateAsync(_ct);
        foreach (var file in Files)
        {
            await services.Container.UploadBlobAsync($"photos/{file}", BinaryData.FromBytes(await File.ReadAllBytesAsync(Path.Combine(golden, "images", "files", file), _ct)), _ct);
        }
        var weights = Path.Combine(golden, "models", "dla46_c", "weights.safetensors");
        var environment = services.Environment(_work.CreateSubdirectory("cache").FullName);
        var (schedulerPort, workerPort) = (FreePort.Next(), FreePort.Next());
        var scheduler = _processes.Start(Executables.Scheduler, environment, schedulerPort);
        var worker = _processes.Start(Executables.Worker, new(environment) { ["Worker__PreloadModel"] = "dla46_c", ["Worker__PreloadWeights"] = weights }, workerPort);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var api = $"http://127.0.0.1:{schedulerPort}";
        await scheduler.WaitHealthyAsync($"{api}/health/ready", TimeSpan.FromSeconds(60), _ct);
        await worker.WaitHealthyAsync($"http://127.0.0.1:{workerPort}/health/ready", TimeSpan.FromSeconds(120), _ct);

        var submitted = await http.PostAsJsonAsync($"{api}/jobs", new { dataset = $"azure://{services.Container.Name}/photos/", model = "dla46_c", weights, batch_size = BatchSize, tasks = new[] { "classify", "embed" } }, _ct);
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync(_ct));
        var jobId = (await submitted.Content.ReadFromJsonAsync<JsonNode>(_ct))!["id"]!.GetValue<string>();
        await JobPolling.WaitSucceededAsync(http, $"{api}/jobs/{jobId}", TimeSpan.FromMinutes(5), _ct);
        var kinds = (await http.GetStringAsync($"{api}/jobs/{jobId}/export?format=jsonl", _ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonNode.Parse(l)!["error"]?["kind"]?.GetValue<string>()).Where(k => k is not null).CountBy(k => k!).ToDictionary();
        var batches = (Files.Length + BatchSize - 1) / BatchSize;

        var workerMetrics = await Prometheus.ScrapeAsync(http, $"http://127.0.0.1:{workerPort}/metrics", _ct);
        output.WriteLine(string.Join('\n', workerMetrics.Where(s => s.Name.StartsWith("dla_", StringComparison.Ordinal) && !s.Name.EndsWith("_bucket", StringComparison.Ordinal))));
        Assert.Equal(Files.Length - 3, workerMetrics.Value("dla_worker_images_total", ("outcome", "succeeded")));
        Assert.Equal(3, kinds.Values.Sum());
        foreach (var (kind, count) in kinds)
        {
            Assert.Equal(count, workerMetrics.Value("dla_worker_images_total", ("outcome", "failed"), ("error_kind", kind)));
        }
        // Every image is read and decoded once; inference and writing happen at least once per batch.
        Assert.Equal(Files.Length, workerMetrics.Value("dla_worker_stage_duration_seconds_count", ("stage", "fetch")));
        Assert.Equal(Files.Length, workerMetrics.Value("dla_worker_stage_duration_seconds_count", ("stage", "decode")));
        Assert.InRange(workerMetrics.Value("dla_worker_stage_duration_seconds_count", ("stage", "infer")) ?? 0, batches, Files.Length);
        Assert.Equal(batches, workerMetrics.Value("dla_worker_stage_duration_seconds_count", ("stage", "write")));
        Assert.True(workerMetrics.Value("dla_worker_stage_duration_seconds_sum", ("stage", "infer")) > 0);
        Assert.Equal(batches, workerMetrics.Value("dla_worker_batches_total", ("outcome", "stored")));
        Assert.Equal(batches, workerMetrics.Value("dla_worker_batch_duration_seconds_count"));
        // Each 3-image message is split across the model's lanes (at least two calls): calls are never over their size, and
        // a message with a bad image leaves one partly empty.
        var fills = workerMetrics.Value("dla_worker_batch_fill_count");
        Assert.Equal(workerMetrics.Value("dla_worker_stage_duration_seconds_count", ("stage", "infer")), fills);
        Assert.True(fills >= 2 * batches - 3, $"{fills} inference calls for {batches} messages of {BatchSize}");
        Assert.InRange(workerMetrics.Value("dla_worker_batch_fill_sum")!.Value / fills!.Value, 0.3, 1.0);
        Assert.Equal(1, workerMetrics.Value("dla_worker_execution_provider", ("provider", "cpu"), ("model", "dla46_c")));
        Assert.Null(workerMetrics.Value("dla_worker_retries_total"));

        var schedulerMetrics = await Eventually(() => Prometheus.ScrapeAsync(http, $"{api}/metrics", _ct),
            m => m.Value("dla_scheduler_jobs", ("state", "succeeded")) == 1, "the job gauge to count the finished job");
        output.WriteLine(string.Join('\n', schedulerMetrics.Where(s => s.Name.StartsWith("dla_", StringComparison.Ordinal) && !s.Name.EndsWith("_bucket", StringComparison.Ordinal))));
        Assert.Equal(0, schedulerMetrics.Value("dla_scheduler_jobs", ("state", "running")));
        Assert.Equal(Files.Length, schedulerMetrics.Value("dla_scheduler_images_planned_total"));
        Assert.Equal(batches, schedulerMetrics.Value("dla_scheduler_batches_dispatched_total", ("dispatch_reason", "planned")));
        Assert.Null(schedulerMetrics.Value("dla_scheduler_batches_dispatched_total", ("dispatch_reason", "lease_expired")));
        // The job finished, so none of its batches is outstanding any more.
        Assert.Equal(0, schedulerMetrics.Value("dla_scheduler_batches", ("state", "planned")) + schedulerMetrics.Value("dla_scheduler_batches", ("state", "queued"))
            + schedulerMetrics.Value("dla_scheduler_batches", ("state", "started")));
        Assert.True(schedulerMetrics.Value("http_server_request_duration_seconds_count") > 0, "ASP.NET Core's own metrics are exported too");
    }


    private async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}; last: {value}");
            await Task.Delay(500, _ct);
        }
    }
}
