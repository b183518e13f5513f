using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dla.Integration.Tests.Hosting;

namespace Dla.Integration.Tests.Deployment;

/// <summary>
/// The scheduler and the CPU worker started the way docker-compose.yml starts them: the command of their
/// Dockerfile's ENTRYPOINT and exactly the service's environment, with compose's own services mapped to this
/// machine's (a fresh PostgreSQL database, RabbitMQ virtual host and blob container) and the container port
/// and volume to a free port and a temporary folder. A small job then runs end to end with the API key.
/// </summary>
public sealed class ComposeCommandTests(ITestOutputHelper output) : IAsyncDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dla-compose-");
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly AppProcessGroup _processes = new();

    public async ValueTask DisposeAsync()
    {
        await _processes.DisposeAsync();
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task The_compose_scheduler_and_cpu_worker_run_a_job_with_the_api_key()
    {
        var golden = Executables.Golden();
        var services = await IsolatedServices.CreateAsync(_ct);
        var apiKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var compose = ComposeFile.Load(Path.Combine(Executables.RepositoryRoot, "docker-compose.yml"), new Dictionary<string, string> { ["DLA_API_KEY"] = apiKey });
        string[] images = ["baboon.jpg", "butterfly.jpg", "chelsea.png", "fruits.jpg", "synthetic-tiny-31x17.png", "bad-truncated.jpg"];
        foreach (var image in images)
        {
            await services.Container.UploadBlobAsync($"photos/{image}", BinaryData.FromBytes(await File.ReadAllBytesAsync(Path.Combine(golden, "images", "files", image), _ct)), _ct);
        }
        // Compose's "models" container is this test's container too: the weights go up as a user's would.
        await services.Container.UploadBlobAsync("models/dla46_c.safetensors", BinaryData.FromBytes(await File.ReadAllBytesAsync(Path.Combine(golden, "models", "dla46_c", "weights.safetensors"), _ct)), _ct);
        var cache = _work.CreateSubdirectory("dla-cache").FullName;

        // Compose's order: the scheduler (it migrates at start here) is healthy before the workers start.
        var (scheduler, schedulerPort) = Start(compose.Services["scheduler"], services, cache);
        await scheduler.WaitHealthyAsync($"http://127.0.0.1:{schedulerPort}/health/ready", TimeSpan.FromMinutes(2), _ct);
        var (worker, workerPort) = Start(compose.Services["worker-cpu"], services, cache);
        await worker.WaitHealthyAsync($"http://127.0.0.1:{workerPort}/health/ready", TimeSpan.FromMinutes(2), _ct);

        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{schedulerPort}/") };
        var request = new
        {
            dataset = $"azure://{services.Container.Name}/photos/",
            model = "dla46_c",
            weights = $"azure://{services.Container.Name}/models/dla46_c.safetensors",
            batch_size = 4,
        };
        using (var anonymous = await api.PostAsJsonAsync("jobs", request, _ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var submitted = await api.PostAsJsonAsync("jobs", request, _ct);
        Assert.True(submitted.StatusCode == HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync(_ct));
        var jobId = (await submitted.Content.ReadFromJsonAsync<JsonNode>(_ct))!["id"]!.GetValue<string>();

        var progress = await JobPolling.WaitFinalAsync(api, $"jobs/{jobId}", TimeSpan.FromMinutes(10), _ct, giveUp: () => _processes.AnyExited);
        output.WriteLine(progress.ToJsonString());
        Assert.Equal("succeeded", progress["state"]!.GetValue<string>());
        Assert.Equal((images.Length, images.Length - 1, 1), (progress["total"]!.GetValue<long>(), progress["succeeded"]!.GetValue<long>(), progress["failed"]!.GetValue<long>()));
        var exported = (await api.GetStringAsync($"jobs/{jobId}/export?format=jsonl", _ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(images.Order(StringComparer.Ordinal), exported.Select(r => Path.GetFileName(r["path"]!.GetValue<string>())).Order(StringComparer.Ordinal));
        Assert.Equal(["bad-truncated.jpg"], exported.Where(r => r["error"] is not null).Select(r => Path.GetFileName(r["path"]!.GetValue<string>())));
        Assert.All(exported.Where(r => r["error"] is null), r => Assert.Equal(5, r["top_k"]!.AsArray().Count));

        // The command line sends the same key from DLA_API_KEY.
        var cli = new Dictionary<string, string?> { ["DLA_API_URL"] = api.BaseAddress!.ToString(), ["DLA_API_KEY"] = apiKey };
        await using var status = AppProcess.Start(Executables.Cli, cli, "status", jobId, "--watch");
        await status.WaitForExitAsync(_ct);
        Assert.True(status.ExitCode == 0, status.Log);
        Assert.False(scheduler.HasExited || worker.HasExited);
    }

    /// <summary>
    /// Starts a compose service as its image would: <c>dotnet &lt;ENTRYPOINT dll&gt;</c> plus its command, with its
    /// environment where only the addresses of compose's own services, its port and its volume are replaced.
    /// </summary>
    private (AppProcess Process, int Port) Start(ComposeService service, IsolatedServices local, string cache)
    {
        var port = FreePort.Next();
        // Compose leaves out a variable passed through from an unset shell variable (HF_TOKEN).
        var environment = service.Environment.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value!);
        Replace(environment, "ConnectionStrings__Postgres", "Host=postgres;", local.Postgres);
        Replace(environment, "ConnectionStrings__RabbitMq", "@rabbitmq:5672/", local.RabbitMq);
        Replace(environment, "ConnectionStrings__BlobStorage", "BlobEndpoint=http://azurite:10000/", local.BlobStorage);
        // The allowed container "datasets" of compose's Azurite is this test's fresh container.
        Replace(environment, "Datasets__AllowedContainers__0", "datasets", local.Container.Name);
        if (environment.ContainsKey("Models__AllowedContainers__0"))
        {
            Replace(environment, "Models__AllowedContainers__0", "models", local.Container.Name);
        }
        Replace(environment, "ASPNETCORE_HTTP_PORTS", "8080", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The dla-cache volume, shared by the scheduler and the workers as in compose.
        Replace(environment, "DLA_CACHE_DIR", "/var/cache/dla", cache);
        var assembly = Dockerfiles.EntryPointAssembly(service.Dockerfile!);
        output.WriteLine($"{service.Name}: dotnet {assembly}.dll {string.Join(' ', service.Command)} with {string.Join(", ", environment.Keys.Order(StringComparer.Ordinal))}");
        var process = AppProcess.StartWithOnly(Executables.ForAssembly(assembly), environment, service.Command);
        _processes.Add(process);
        return (process, port);
    }

    /// <summary>Replaces a compose value that must point at what the test maps (fails when compose changed it).</summary>
    private static void Replace(Dictionary<string, string> environment, string name, string expected, string local)
    {
        Assert.True(environment.TryGetValue(name, out var value) && value.Contains(expected, StringComparison.Ordinal), $"docker-compose.yml: {name} is '{value}', expected it to contain '{expected}'");
        environment[name] = local;
    }
}
