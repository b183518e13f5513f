using System.Diagnostics;
using Azure.Storage.Blobs;
using Dla.Scheduler.Tests.Hosting;
using Dla.Testing;

namespace Dla.Scheduler.Tests;

/// <summary>
/// Planning speed: images planned per second and time from submission to the first dispatched batch,
/// for a blob prefix in Azurite and, to separate the planner from Azurite's listing speed, for a local
/// folder of as many files. Prints the numbers and asserts no timing (docs/benchmarks.md records them).
/// Runs only with <c>DLA_BENCH=1</c>. <c>DLA_BENCH_IMAGES</c> sets the count (default 100,000); the
/// blobs are uploaded once (a marker blob records completion) and kept for later runs.
/// </summary>
public sealed class PlanningBenchmark(RealServiceEnvironment services) : IClassFixture<RealServiceEnvironment>
{
    private const string Container = "bench-planning";

    private static int Images => int.TryParse(Environment.GetEnvironmentVariable("DLA_BENCH_IMAGES"), out var n) ? n : 100_000;

    [Fact]
    public async Task Planning_a_blob_prefix()
    {
        Benchmarks.SkipUnlessEnabled();
        var prefix = $"n{Images}";
        await EnsureBlobsAsync(new BlobServiceClient(RealServices.BlobStorage()), prefix);
        await MeasureBothAsync($"azure://{Container}/{prefix}", $"Azurite prefix of {Images} blobs");
    }

    [Fact]
    public async Task Planning_a_local_folder()
    {
        Benchmarks.SkipUnlessEnabled();
        var folder = Directory.CreateTempSubdirectory("dla-bench-").FullName;
        try
        {
            for (var i = 0; i < Images; i++)
            {
                var path = Path.Combine(folder, $"{i % 100:D2}", $"img-{i:D6}.jpg");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllBytesAsync(path, [], TestContext.Current.CancellationToken);
            }
            await MeasureBothAsync(folder, $"local folder of {Images} files");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task MeasureBothAsync(string dataset, string source)
    {
        var (postgres, rabbitMq) = await services.GetAsync();
        var root = dataset.StartsWith("azure://", StringComparison.Ordinal) ? null : dataset;
        await MeasureAsync(dataset, $"{source}, PostgreSQL + RabbitMQ", new Dictionary<string, string?>
        {
            ["Database:Provider"] = "postgres", ["ConnectionStrings:Postgres"] = postgres,
            ["Messaging:Transport"] = "rabbitmq", ["ConnectionStrings:RabbitMq"] = rabbitMq, ["Datasets:AllowedRoots:0"] = root,
        });
        var sqlite = Path.Combine(Path.GetTempPath(), $"dla-bench-{Guid.NewGuid():N}.db");
        try
        {
            await MeasureAsync(dataset, $"{source}, SQLite + in-memory", new Dictionary<string, string?>
            {
                ["Database:Provider"] = "sqlite", ["ConnectionStrings:Sqlite"] = $"Data Source={sqlite}",
                ["Messaging:Transport"] = "inmemory", ["Datasets:AllowedRoots:0"] = root,
            });
        }
        finally
        {
            SqliteFiles.Delete(sqlite);
        }
    }

    private static async Task MeasureAsync(string dataset, string setup, Dictionary<string, string?> settings)
    {
        settings["Scheduler:DispatchIntervalMilliseconds"] = "200";
        await using var host = await SchedulerHost.StartAsync(settings);
        var clock = Stopwatch.StartNew();
        var jobId = await host.SubmitAsync(new { dataset, model = "dla34", batch_size = 32 });
        await Eventually.HoldsAsync(() => Task.FromResult(host.Recorder.For(jobId).Count), n => n > 0, "the first batch", seconds: 120);
        var firstBatch = clock.Elapsed;
        var job = await Eventually.HoldsAsync(() => host.JobAsync(jobId), j => j.ListingComplete, "listing to complete", seconds: 1800);
        var planned = clock.Elapsed;
        Assert.Equal(Images, job.ListedImages);
        var line = $"{setup}: {job.ListedImages} images planned in {planned.TotalSeconds:F2} s = {job.ListedImages / planned.TotalSeconds:F0} images/s; "
            + $"first batch dispatched after {firstBatch.TotalSeconds:F2} s; {job.PlannedBatches} batches";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Console.WriteLine(line);
    }

    private static async Task EnsureBlobsAsync(BlobServiceClient service, string prefix)
    {
        var container = service.GetBlobContainerClient(Container);
        await container.CreateIfNotExistsAsync();
        var marker = container.GetBlobClient($"{prefix}.complete");
        if (await marker.ExistsAsync())
        {
            return;
        }
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Images), new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, ct) => await container.GetBlobClient($"{prefix}/{i % 100:D2}/img-{i:D6}.jpg").UploadAsync(BinaryData.FromString("x"), overwrite: true, ct));
        await marker.UploadAsync(BinaryData.FromString("done"), overwrite: true);
        Console.WriteLine($"Uploaded {Images} blobs in {clock.Elapsed.TotalSeconds:F1} s ({Images / clock.Elapsed.TotalSeconds:F0}/s)");
    }
}
