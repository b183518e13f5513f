using System.Diagnostics;
using Azure.Storage.Blobs;
using Dla.Scheduler.Tests.Hosting;
using Dla.Testing;

namespace Dla.Scheduler.Tests;

/// <summary>
/// Planning speed over a 100,000-blob prefix in Azurite: blobs planned per second and time from
/// submission to the first dispatched batch. Prints the numbers, asserts no timing (docs/benchmarks.md
/// records them). Runs only with <c>DLA_BENCH=1</c>; the blobs are uploaded once and kept.
/// </summary>
public sealed class PlanningBenchmark(RealServiceEnvironment services) : IClassFixture<RealServiceEnvironment>
{
    private const int Blobs = 100_000;
    private const string Container = "bench-planning";
    private const string Prefix = "100k";

    [Fact]
    public async Task Planning_a_100k_blob_prefix()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("DLA_BENCH") == "1", "A benchmark: run with DLA_BENCH=1.");
        var (postgres, rabbitMq) = await services.GetAsync();
        await EnsureBlobsAsync(new BlobServiceClient(RealServices.BlobStorage()));
        var sqlite = Path.Combine(Path.GetTempPath(), $"dla-bench-{Guid.NewGuid():N}.db");
        try
        {
            await MeasureAsync("PostgreSQL + RabbitMQ", new Dictionary<string, string?>
            {
                ["Database:Provider"] = "postgres", ["ConnectionStrings:Postgres"] = postgres,
                ["Messaging:Transport"] = "rabbitmq", ["ConnectionStrings:RabbitMq"] = rabbitMq,
            });
            await MeasureAsync("SQLite + in-memory", new Dictionary<string, string?>
            {
                ["Database:Provider"] = "sqlite", ["ConnectionStrings:Sqlite"] = $"Data Source={sqlite}", ["Messaging:Transport"] = "inmemory",
            });
        }
        finally
        {
            File.Delete(sqlite);
        }
    }

    private static async Task MeasureAsync(string setup, Dictionary<string, string?> settings)
    {
        settings["Scheduler:DispatchIntervalMilliseconds"] = "200";
        await using var host = await SchedulerHost.StartAsync(settings);
        var clock = Stopwatch.StartNew();
        var jobId = await host.SubmitAsync(new { dataset = $"azure://{Container}/{Prefix}", model = "dla34", batch_size = 32 });
        await Eventually.HoldsAsync(() => Task.FromResult(host.Recorder.For(jobId).Count), n => n > 0, "the first batch", seconds: 60);
        var firstBatch = clock.Elapsed;
        var job = await Eventually.HoldsAsync(() => host.JobAsync(jobId), j => j.ListingComplete, "listing to complete", seconds: 600);
        var planned = clock.Elapsed;
        Assert.Equal(Blobs, job.ListedImages);
        var line = $"{setup}: {Blobs} blobs planned in {planned.TotalSeconds:F2} s = {Blobs / planned.TotalSeconds:F0} blobs/s; "
            + $"first batch dispatched after {firstBatch.TotalSeconds:F2} s; {job.PlannedBatches} batches";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Console.WriteLine(line);
    }

    private static async Task EnsureBlobsAsync(BlobServiceClient service)
    {
        var container = service.GetBlobContainerClient(Container);
        await container.CreateIfNotExistsAsync();
        var marker = container.GetBlobClient($"{Prefix}.complete");
        if (await marker.ExistsAsync())
        {
            return;
        }
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Blobs), new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (i, ct) => await container.GetBlobClient($"{Prefix}/{i % 100:D2}/img-{i:D6}.jpg").UploadAsync(BinaryData.FromString("x"), overwrite: true, ct));
        await marker.UploadAsync(BinaryData.FromString("done"), overwrite: true);
        Console.WriteLine($"Uploaded {Blobs} blobs in {clock.Elapsed.TotalSeconds:F1} s");
    }
}
