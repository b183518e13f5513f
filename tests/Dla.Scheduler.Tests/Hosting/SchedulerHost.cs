using Dla.Testing;
using System.Net.Http.Json;
using System.Text.Json;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Leadership;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dla.Scheduler.Tests.Hosting;

/// <summary>
/// The real scheduler (<see cref="SchedulerApp.Build"/>) listening on a free loopback port, with test
/// consumers standing in for the workers. SQLite and the in-memory transport unless told otherwise.
/// </summary>
public sealed class SchedulerHost : IAsyncDisposable
{
    /// <summary>snake_case, as the API speaks.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private SchedulerHost(WebApplication app, HttpClient http)
    {
        App = app;
        Http = http;
    }

    private int _disposed;

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public BatchRecorder Recorder => App.Services.GetRequiredService<BatchRecorder>();

    public IDlaDbContextFactory Databases => App.Services.GetRequiredService<IDlaDbContextFactory>();

    public SchedulerLeadership Leadership => App.Services.GetRequiredService<SchedulerLeadership>();

    public WorkerSimulator Worker => new(Databases, App.Services.GetRequiredService<IBus>());

    /// <summary>Starts on a SQLite file with local datasets allowed under <paramref name="datasetRoot"/>.</summary>
    public static Task<SchedulerHost> StartSqliteAsync(string sqliteFile, string datasetRoot, IReadOnlyDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null) =>
        StartAsync(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "sqlite",
            ["ConnectionStrings:Sqlite"] = $"Data Source={sqliteFile}",
            ["Messaging:Transport"] = "inmemory",
            ["Datasets:AllowedRoots:0"] = datasetRoot,
        }, settings, configure);

    /// <summary>Starts on the real PostgreSQL database and RabbitMQ virtual host of <paramref name="services"/>, with local datasets allowed under <paramref name="datasetRoot"/>.</summary>
    public static async Task<SchedulerHost> StartPostgresRabbitMqAsync(RealServiceEnvironment services, string datasetRoot, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var (postgres, rabbitMq) = await services.GetAsync();
        return await StartAsync(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "postgres",
            ["ConnectionStrings:Postgres"] = postgres,
            ["Messaging:Transport"] = "rabbitmq",
            ["ConnectionStrings:RabbitMq"] = rabbitMq,
            ["Datasets:AllowedRoots:0"] = datasetRoot,
        }, settings);
    }

    /// <summary>Starts with the given configuration on top of fast test defaults; <paramref name="configure"/> may add more (a log capture).</summary>
    public static async Task<SchedulerHost> StartAsync(IReadOnlyDictionary<string, string?> baseSettings, IReadOnlyDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Scheduler:DispatchIntervalMilliseconds"] = "50",
            // The test is the worker pool and often takes every batch of a job before it processes any, which a
            // queue sized by busy workers would not hand out; SchedulingTests covers that sizing.
            ["Scheduler:QueuedBatchesPerWorker"] = "0",
        };
        foreach (var (key, value) in baseSettings.Concat(settings ?? new Dictionary<string, string?>()))
        {
            configuration[key] = value;
        }
        var app = SchedulerApp.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(configuration);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddSingleton<BatchRecorder>();
            configure?.Invoke(builder);
        }, bus =>
        {
            bus.AddConsumer<RecordingBatchConsumer>();
            bus.AddConsumer<RecordingCancellationConsumer>();
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SchedulerHost(app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) });
    }

    /// <summary>Submits a job through the API and returns its id (asserting 201).</summary>
    public async Task<Guid> SubmitAsync(object request)
    {
        using var response = await Http.PostAsJsonAsync("/jobs", request, Json, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    public async Task<Job> JobAsync(Guid jobId)
    {
        await using var db = await Databases.CreateAsync(TestContext.Current.CancellationToken);
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId, TestContext.Current.CancellationToken);
    }

    public async Task<List<Batch>> BatchesAsync(Guid jobId)
    {
        await using var db = await Databases.CreateAsync(TestContext.Current.CancellationToken);
        return await db.Batches.AsNoTracking().Where(b => b.JobId == jobId).OrderBy(b => b.BatchIndex).ToListAsync(TestContext.Current.CancellationToken);
    }

    public async Task<List<ManifestImage>> ManifestAsync(Guid jobId)
    {
        await using var db = await Databases.CreateAsync(TestContext.Current.CancellationToken);
        return await db.Images.AsNoTracking().Where(i => i.JobId == jobId).OrderBy(i => i.ImageId).ToListAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Waits for the job to reach <paramref name="state"/>.</summary>
    public Task<Job> JobReachesAsync(Guid jobId, JobState state, double seconds = 30) =>
        Eventually.HoldsAsync(() => JobAsync(jobId), j => j.State == state, $"job {jobId} to be {state}", seconds);

    /// <summary>Waits until every planned batch of a fully listed job has been received by the test workers.</summary>
    public async Task<List<Contracts.ProcessImageBatch>> AllBatchesReceivedAsync(Guid jobId, int expected)
    {
        var received = await Eventually.HoldsAsync(
            () => Task.FromResult(Recorder.For(jobId).DistinctBy(b => b.BatchIndex).ToList()),
            b => b.Count >= expected, $"{expected} batches of job {jobId} to be dispatched");
        return received.OrderBy(b => b.BatchIndex).ToList();
    }

    /// <summary>Stops the scheduler (once; a test may stop a replica before the end).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        Http.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }
}
