using System.Diagnostics;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Persistence.Results;
using Dla.Scheduler.Deletion;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Scheduler.Tests;

/// <summary>
/// How long deleting a large job takes and whether it holds up another job's writers (docs/benchmarks.md): job A gets
/// <c>DLA_BENCH_ROWS</c> (default 10⁶) results with 512-float embeddings and as many manifest rows, then is purged
/// (<see cref="JobPurge"/>) while a writer stores job B's 1,000-row batches without pause; B's write latencies during
/// the purge are compared with those before it. A benchmark: prints, asserts only that the rows are gone and B lost
/// nothing; runs with <c>DLA_BENCH=1</c>.
/// </summary>
public sealed class JobPurgeBenchmark(ITestOutputHelper output)
{
    private const int BatchRows = 1_000;

    [Fact]
    public async Task Purging_a_large_job_beside_another_job_s_writer()
    {
        Benchmarks.SkipUnlessEnabled();
        var ct = TestContext.Current.CancellationToken;
        var rows = Benchmarks.Rows(otherwise: 1_000_000);
        await using var database = new PostgresTestDatabase();
        await using var services = await database.ServicesAsync();
        var databases = services.GetRequiredService<IDlaDbContextFactory>();
        var writer = services.GetRequiredService<IResultWriter>();
        var (large, other) = (Guid.NewGuid(), Guid.NewGuid());
        await CreateJobAsync(databases, large, rows / BatchRows, ct);
        await CreateJobAsync(databases, other, 10_000, ct);

        var fill = Stopwatch.StartNew();
        for (var b = 0; b < rows / BatchRows; b++)
        {
            await writer.WriteAsync(Outcome(large, b), ct);
        }
        await using (var db = await databases.CreateAsync(ct))
        {
            await db.Database.ExecuteSqlRawAsync(
                """INSERT INTO images (job_id, image_id, path, batch_index) SELECT {0}, i, 'photos/' || i || '.jpg', i / 1000 FROM generate_series(0, {1} - 1) AS i""",
                [large, rows], ct);
            await db.Jobs.Where(j => j.Id == large).ExecuteUpdateAsync(j => j.SetProperty(x => x.State, JobState.Succeeded), ct);
            Assert.True(await JobTransitions.DeleteAsync(db, large, ct));
        }
        output.WriteLine($"job A: {rows:N0} results (512-float embeddings) and {rows:N0} manifest rows written in {fill.Elapsed.TotalSeconds:F0} s");

        // Job B's writer runs before, during and after the purge; each batch's latency is kept with its phase.
        var phase = 0;
        var latencies = new List<(int Phase, double Ms)>();
        using var stop = new CancellationTokenSource();
        var otherWriter = Task.Run(async () =>
        {
            for (var b = 0; !stop.IsCancellationRequested; b++)
            {
                var clock = Stopwatch.StartNew();
                await writer.WriteAsync(Outcome(other, b), CancellationToken.None);
                lock (latencies)
                {
                    latencies.Add((Volatile.Read(ref phase), clock.Elapsed.TotalMilliseconds));
                }
            }
        }, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(10), ct);
        Volatile.Write(ref phase, 1);
        var purge = Stopwatch.StartNew();
        JobPurge.Removed? removed;
        await using (var db = await databases.CreateAsync(ct))
        {
            removed = await JobPurge.RunAsync(db, large, 10_000, ct);
        }
        purge.Stop();
        Volatile.Write(ref phase, 2);
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        await stop.CancelAsync();
        await otherWriter;

        await using (var check = await databases.CreateAsync(ct))
        {
            Assert.Equal(0, await check.Results.CountAsync(r => r.JobId == large, ct));
            Assert.Equal(0, await check.Images.CountAsync(r => r.JobId == large, ct));
            Assert.Equal(latencies.Count * BatchRows, await check.Results.CountAsync(r => r.JobId == other, ct));
        }
        output.WriteLine($"purge: {removed!.Results:N0} results, {removed.Images:N0} manifest rows, {removed.Batches:N0} batches in {purge.Elapsed.TotalSeconds:F1} s " +
            $"({(removed.Results + removed.Images) / purge.Elapsed.TotalSeconds:N0} rows/s), chunks of 10,000");
        foreach (var (p, name) in new[] { (0, "before"), (1, "during"), (2, "after") })
        {
            var ms = latencies.Where(l => l.Phase == p).Select(l => l.Ms).Order().ToList();
            output.WriteLine($"job B's 1,000-row batches {name} the purge: {ms.Count}, latency median {ms[ms.Count / 2]:F0} ms, max {ms[^1]:F0} ms");
        }
    }

    private static async Task CreateJobAsync(IDlaDbContextFactory databases, Guid jobId, int batches, CancellationToken ct)
    {
        await using var db = await databases.CreateAsync(ct);
        db.Jobs.Add(new Job { Id = jobId, Dataset = "/data", Model = "dla34", State = JobState.Running, CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync(ct);
        await db.Database.ExecuteSqlRawAsync(
            """INSERT INTO batches (job_id, batch_index, state, image_count, dispatches) SELECT {0}, i, 'Queued', 1000, 0 FROM generate_series(0, {1} - 1) AS i""",
            [jobId, batches], ct);
    }

    private static BatchOutcome Outcome(Guid jobId, int batch) => new(jobId, batch,
        Enumerable.Range(batch * BatchRows, BatchRows).Select(i => new ImageResult
        {
            JobId = jobId,
            ImageId = i,
            Top1Index = 7,
            Top1Label = "tench, Tinca tinca",
            Top1Probability = 0.875f,
            TopKJson = """[{"index":7,"label":"tench, Tinca tinca","probability":0.875}]""",
            Embedding = Enumerable.Range(0, 512).Select(k => MathF.Sin(k + i)).ToArray(),
        }).ToArray(), []);
}
