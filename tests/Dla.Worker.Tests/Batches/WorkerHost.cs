using Dla.Contracts;
using Dla.Modeling.Images;
using Dla.Modeling.Prediction;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Worker.Inference;
using Dla.Worker.Tests.Inference;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Worker.Tests.Batches;

/// <summary>
/// The worker on MassTransit's in-memory test harness, over a real database, with a dataset folder
/// of golden photographs and bad files, and the reference predictions of <see cref="BatchPredictor"/>
/// run directly on the same files. Started on first use inside a test, so missing data skips it.
/// </summary>
public abstract class WorkerHost : IAsyncDisposable
{
    /// <summary>Photographs (one renamed with spaces and accents), corrupt files, a missing file, an escape attempt.</summary>
    public static readonly string[] Photos = ["baboon.jpg", "chelsea.png", "coffee.png", "squirrel photo é.jpg"];
    public static readonly string[] BadFiles = ["bad-empty.jpg", "bad-not-an-image.jpg", "bad-truncated.jpg"];
    public static readonly string[] Unreadable = ["gone.jpg", "../outside.jpg"];

    private readonly Lock _gate = new();
    private Task? _prepared;
    private readonly string _dataset = Directory.CreateTempSubdirectory("dla-worker-dataset-").FullName;
    private ServiceProvider? _database;
    private IConfiguration _configuration = null!;

    /// <summary>Shared by every test's worker, so the model loads once per class.</summary>
    private readonly ModelSessions _sessions = TestSessions.Create();

    /// <summary>Reference outcome per dataset path: top-1 index, or the error kind.</summary>
    public Dictionary<string, (int? Top1, string? ErrorKind)> Expected { get; } = [];

    public ModelSpec Model { get; private set; } = null!;

    /// <summary>Database settings for a fresh, migrated database.</summary>
    protected abstract Task<Dictionary<string, string?>> DatabaseAsync();

    /// <summary>
    /// A worker on a fresh test harness (a harness that has gone idle answers no more waits, so each
    /// test gets its own), over this class's database, dataset and model; <paramref name="settings"/> override its configuration.
    /// </summary>
    public async Task<TestWorker> StartWorkerAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        await PrepareAsync();
        var configuration = settings is null ? _configuration : new ConfigurationBuilder().AddConfiguration(_configuration).AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton(configuration).AddLogging();
        services.AddDlaWorker(configuration);
        services.AddSingleton(_sessions);
        services.AddMassTransitTestHarness(bus =>
        {
            bus.AddDlaWorkerConsumers();
            // Negative checks wait for the bus to go idle; a batch in flight keeps it busy however long inference takes. 10 s, not
            // 5: under load (test projects in parallel on 2 cores) a published message once waited longer than 5 s for a thread.
            bus.SetTestTimeouts(TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(10));
        });
        var provider = services.BuildServiceProvider(validateScopes: true);
        var worker = new TestWorker(provider);
        await worker.Harness.Start();
        return worker;
    }

    /// <summary>Stores a job over every test file, with one batch holding all of them; returns that batch's message.</summary>
    public async Task<ProcessImageBatch> SeedJobAsync(bool cancelled = false)
    {
        await PrepareAsync();
        var paths = Photos.Concat(BadFiles).Concat(Unreadable).ToArray();
        var job = new Job
        {
            Id = Guid.NewGuid(), Dataset = _dataset, Model = Model.Model, Weights = Model.Weights, Tasks = Model.Tasks, TopK = Model.TopK,
            BatchSize = paths.Length, State = JobState.Running, CreatedAt = DateTimeOffset.UtcNow,
            CancelRequestedAt = cancelled ? DateTimeOffset.UtcNow : null,
        };
        await using var db = await ContextAsync();
        db.Jobs.Add(job);
        db.Batches.Add(new Batch { JobId = job.Id, BatchIndex = 0, State = BatchState.Queued, ImageCount = paths.Length, Dispatches = 1 });
        db.Images.AddRange(paths.Select((path, i) => new ManifestImage { JobId = job.Id, ImageId = i, Path = path, BatchIndex = 0 }));
        await db.SaveChangesAsync();
        return new ProcessImageBatch(job.Id, 0, 1, job.Dataset, job.ModelSpec(), paths.Select((path, i) => new ImageRef(i, path)).ToArray());
    }

    public Task<DlaDbContext> ContextAsync() => _database!.GetRequiredService<IDlaDbContextFactory>().CreateAsync();

    public async ValueTask DisposeAsync()
    {
        _sessions.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
        Directory.Delete(_dataset, recursive: true);
        await DisposeDatabaseAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Removes the database, once the services using it are gone.</summary>
    protected abstract ValueTask DisposeDatabaseAsync();

    /// <summary>
    /// Prepares the host once. Every caller awaits the same task, so a failed preparation fails each test with
    /// its real cause, instead of leaving a half-prepared host (a database but no <see cref="Expected"/>) behind.
    /// </summary>
    private Task PrepareAsync()
    {
        lock (_gate)
        {
            return _prepared ??= PrepareOnceAsync();
        }
    }

    private async Task PrepareOnceAsync()
    {
        var golden = GoldenData.RequirePath("images", "files");
        Model = new ModelSpec("dla46_c", GoldenData.RequirePath("models", "dla46_c", "weights.safetensors"), 0, null, "fp32", JobTasks.Classify | JobTasks.Embed, 5);
        foreach (var name in Photos.Concat(BadFiles))
        {
            File.Copy(Path.Combine(golden, name.Replace("squirrel photo é", "squirrel_cls", StringComparison.Ordinal)), Path.Combine(_dataset, name));
        }
        var settings = await DatabaseAsync();
        settings["Messaging:Transport"] = "inmemory";
        settings["Datasets:AllowedRoots:0"] = _dataset;
        _configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _database = new ServiceCollection().AddDlaDatabase(_configuration).BuildServiceProvider();
        await PredictDirectlyAsync();
    }

    private async Task PredictDirectlyAsync()
    {
        var session = await _sessions.GetAsync(Model, CancellationToken.None);
        var predictor = new BatchPredictor(session, new ImagePreprocessor(session.Description.Preprocess), new PredictorOptions(TopK: 5));
        var sources = Photos.Concat(BadFiles).Select(name => ImageSource.FromFile(Path.Combine(_dataset, name)));
        await foreach (var prediction in predictor.PredictAsync(sources))
        {
            Expected[Path.GetFileName(prediction.Id)] = (prediction.TopK?[0].Index, prediction.Error?.Kind);
        }
        foreach (var path in Unreadable)
        {
            Expected[path] = (null, "read_failed");
        }
    }
}

/// <summary>One test's worker: the harness and its services, stopped and disposed at the end of the test.</summary>
public sealed class TestWorker(ServiceProvider services) : IAsyncDisposable
{
    public ITestHarness Harness { get; } = services.GetRequiredService<ITestHarness>();

    public IServiceProvider Services => services;

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await services.DisposeAsync();
    }
}
