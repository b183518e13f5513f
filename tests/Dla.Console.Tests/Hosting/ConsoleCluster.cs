using Dla.Scheduler;
using Dla.Testing;
using Dla.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dla.Console.Tests.Hosting;

/// <summary>
/// A real scheduler (the console's server) and a real worker, each composed exactly as its Program.cs composes it
/// (<see cref="SchedulerApp"/>, <see cref="WorkerApp"/>), on a private PostgreSQL database and RabbitMQ virtual host,
/// listening on loopback ports the OS picks, with a dataset folder of the golden photographs (and their bad files).
/// </summary>
public sealed class ConsoleCluster : IAsyncDisposable
{
    private readonly RealServiceEnvironment _services = new();
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dla-console-");
    private WebApplication? _scheduler;
    private WebApplication? _worker;

    private ConsoleCluster(string golden) => Golden = golden;

    /// <summary>../shared/golden: the tiny model's architecture and weights, the photographs.</summary>
    public string Golden { get; }

    /// <summary>The dataset folder: every golden image file (three of them are not decodable).</summary>
    public string Dataset => Path.Combine(_work.FullName, "photos");

    /// <summary>The tiny model's architecture (a golden case.json) and weights: a job finishes in seconds on a CPU.</summary>
    public string Model => Path.Combine(Golden, "models", "tiny_basic", "case.json");

    public string Weights => Path.Combine(Golden, "models", "tiny_basic", "weights.safetensors");

    public IReadOnlyList<string> Images => Directory.GetFiles(Dataset).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    /// <summary>Where the browser goes, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Starts the scheduler with <paramref name="settings"/> (API keys, …) and, unless told not to, a worker.</summary>
    public static async Task<ConsoleCluster> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, bool withWorker = true)
    {
        var golden = Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "golden"));
        if (!Directory.Exists(golden))
        {
            Assert.Skip($"Golden reference data is absent ({golden}).");
        }
        var cluster = new ConsoleCluster(golden);
        Directory.CreateDirectory(cluster.Dataset);
        foreach (var file in Directory.GetFiles(Path.Combine(golden, "images", "files")))
        {
            File.Copy(file, Path.Combine(cluster.Dataset, Path.GetFileName(file)));
        }
        var (postgres, rabbitMq) = await cluster._services.GetAsync();
        var shared = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "postgres",
            ["ConnectionStrings:Postgres"] = postgres,
            ["Messaging:Transport"] = "rabbitmq",
            ["ConnectionStrings:RabbitMq"] = rabbitMq,
            ["Datasets:AllowedRoots:0"] = cluster._work.FullName,
            ["Models:AllowedRoots:0"] = golden,
        };
        var schedulerSettings = new Dictionary<string, string?>(shared) { ["Scheduler:DispatchIntervalMilliseconds"] = "100" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            schedulerSettings[key] = value;
        }
        cluster._scheduler = SchedulerApp.Build([], builder => Configure(builder, schedulerSettings));
        await cluster._scheduler.StartAsync(TestContext.Current.CancellationToken);
        cluster.Address = new Uri(cluster._scheduler.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        if (withWorker)
        {
            cluster._worker = WorkerApp.Build([], builder => Configure(builder, shared));
            await cluster._worker.StartAsync(TestContext.Current.CancellationToken);
        }
        return cluster;
    }

    /// <summary>Stops the worker: jobs submitted afterwards wait in the queue (to be cancelled).</summary>
    public async Task StopWorkerAsync()
    {
        if (_worker is { } worker)
        {
            _worker = null;
            await worker.StopAsync(CancellationToken.None);
            await worker.DisposeAsync();
        }
    }

    private static void Configure(WebApplicationBuilder builder, IReadOnlyDictionary<string, string?> settings)
    {
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dla.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Dla.sln above {AppContext.BaseDirectory}.");
    }

    public async ValueTask DisposeAsync()
    {
        await StopWorkerAsync();
        if (_scheduler is { } scheduler)
        {
            await scheduler.StopAsync(CancellationToken.None);
            await scheduler.DisposeAsync();
        }
        await _services.DisposeAsync();
        _work.Delete(recursive: true);
    }
}
