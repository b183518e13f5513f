using System.Net;
using System.Text.Json.Nodes;
using Dla.Integration.Tests.Hosting;

namespace Dla.Integration.Tests.Telemetry;

/// <summary>
/// The worker process's readiness with <c>Worker:PreloadModel</c>: unready (503, and the JSON says why) until
/// the model is loaded even though the bus is connected; ready (200) once it is; unready for good with a
/// reason when the model cannot be loaded.
/// </summary>
public sealed class ReadinessTests : IAsyncDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dla-readiness-");
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private AppProcess? _worker;

    public async ValueTask DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
        _http.Dispose();
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task A_worker_is_unready_until_its_preloaded_model_is_loaded()
    {
        var weights = Path.Combine(Executables.Golden(), "models", "dla46_c", "weights.safetensors");
        await using var hub = GatedHub.Start(weights);
        var ready = await StartWorkerAsync(new() { ["Worker__PreloadModel"] = "dla46_c", ["Worker__PreloadWeights"] = "hf:timm/dla46_c.in1k", ["HF_ENDPOINT"] = hub.Endpoint });
        await hub.Requested.WaitAsync(TimeSpan.FromMinutes(2), _ct);

        // The download is held: once the bus is connected, the model is the only thing missing.
        var (status, body) = await ReadyOnceTheBusIsConnectedAsync(ready);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body["checks"]!["model"]!["status"]!.GetValue<string>());
        Assert.Equal("Loading model dla46_c.", body["checks"]!["model"]!["description"]!.GetValue<string>());

        hub.Release();
        await _worker!.WaitHealthyAsync(ready, TimeSpan.FromMinutes(2), _ct);
        (status, body) = await GetAsync(ready);
        Assert.Equal(HttpStatusCode.OK, status);
        var model = body["checks"]!["model"]!;
        Assert.Equal("Healthy", model["status"]!.GetValue<string>());
        Assert.Equal(("dla46_c", "cpu", 1000), (model["data"]!["model"]!.GetValue<string>(), model["data"]!["provider"]!.GetValue<string>(), model["data"]!["classes"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_worker_whose_preloaded_model_cannot_load_stays_unready_and_says_why()
    {
        var missing = Path.Combine(_work.FullName, "missing.safetensors");
        var ready = await StartWorkerAsync(new() { ["Worker__PreloadModel"] = "dla46_c", ["Worker__PreloadWeights"] = missing });

        var (status, body) = await ReadyOnceTheBusIsConnectedAsync(ready, model => model["description"]!.GetValue<string>().StartsWith("Preloading", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var description = body["checks"]!["model"]!["description"]!.GetValue<string>();
        Assert.StartsWith("Preloading model dla46_c failed: Weights file", description, StringComparison.Ordinal);
        Assert.Contains(missing, description, StringComparison.Ordinal);
        Assert.Contains("retrying in", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_preloaded_model_the_worker_is_ready_once_the_bus_is_connected()
    {
        var ready = await StartWorkerAsync([]);

        await _worker!.WaitHealthyAsync(ready, TimeSpan.FromMinutes(1), _ct);
        var (status, body) = await GetAsync(ready);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body["checks"]!["model"]!["data"]!["preloaded"]!.GetValue<bool>());
        Assert.Contains("No model preloaded", body["checks"]!["model"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(ready.Replace("/health/ready", "/metrics", StringComparison.Ordinal), _ct)).StatusCode);
    }

    /// <summary>Starts a worker process on RabbitMQ and PostgreSQL; returns its readiness URL once it is live.</summary>
    private async Task<string> StartWorkerAsync(Dictionary<string, string?> settings)
    {
        var services = await IsolatedServices.CreateAsync(_ct);
        var port = FreePort.Next();
        var environment = services.Environment(_work.CreateSubdirectory("cache").FullName);
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        _worker = AppProcess.Start(Executables.Worker, environment);
        await _worker.WaitHealthyAsync($"http://127.0.0.1:{port}/health/live", TimeSpan.FromMinutes(1), _ct);
        return $"http://127.0.0.1:{port}/health/ready";
    }

    /// <summary>Polls readiness until every check but the model's is healthy (and <paramref name="modelDone"/> holds for the model's).</summary>
    private async Task<(HttpStatusCode, JsonNode)> ReadyOnceTheBusIsConnectedAsync(string url, Func<JsonNode, bool>? modelDone = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var (status, body) = await GetAsync(url);
            var checks = body["checks"]!.AsObject();
            if (checks.Where(c => c.Key != "model").All(c => c.Value!["status"]!.GetValue<string>() == "Healthy") && (modelDone?.Invoke(checks["model"]!) ?? true))
            {
                return (status, body);
            }
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for the bus; last: {body.ToJsonString()}\n{_worker!.Log}");
            await Task.Delay(250, _ct);
        }
    }

    private async Task<(HttpStatusCode, JsonNode)> GetAsync(string url)
    {
        using var response = await _http.GetAsync(url, _ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(_ct))!);
    }
}
