using System.Diagnostics;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Progress;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Scheduler.Tests;

/// <summary>
/// The progress of a job of 10⁶ images on PostgreSQL (docs/benchmarks.md), in alternating reads: while it runs, its counts
/// summed over its batches (<see cref="BatchOutcomeCounts"/>) against counted from its result and error rows (how they
/// were read before batches kept counts), and the failures alone the same two ways (the completion check of a job
/// with a failure threshold, after every batch); once it finished, read from its settled counts against summed, and
/// what settling costs once. A benchmark: prints medians, asserts only that the reads agree; runs with
/// <c>DLA_BENCH=1</c> (<c>DLA_BENCH_ROWS</c>).
/// </summary>
public sealed class SettledProgressBenchmark(ITestOutputHelper output)
{
    private const int BatchSize = 32;

    [Fact]
    public async Task A_million_image_jobs_progress_while_it_runs_and_once_it_finished()
    {
        Benchmarks.SkipUnlessEnabled();
        var ct = TestContext.Current.CancellationToken;
        var rows = Benchmarks.Rows(otherwise: 1_000_000);
        await using var database = new PostgresTestDatabase();
        await using var services = await database.ServicesAsync();
        var databases = services.GetRequiredService<IDlaDbContextFactory>();
        var jobId = Guid.NewGuid();
        await using var db = await databases.CreateAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        db.Jobs.Add(new Job { Id = jobId, Dataset = "/data", Model = "dla34", State = JobState.Running, CreatedAt = DateTimeOffset.UtcNow, ListedImages = rows, ListingComplete = true });
        await db.SaveChangesAsync(ct);
        // The manifest in completed batches of 32; one image in a thousand failed, the rest have a result (without an
        // embedding: a lower bound on what counting rows costs); then each batch's counts, as the writers keep them.
        await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO images (job_id, image_id, path, batch_index) SELECT {0}, i, 'img-' || i || '.jpg', i / {2} FROM generate_series(0, {1} - 1) AS i;
            INSERT INTO batches (job_id, batch_index, state, image_count, dispatches)
                SELECT {0}, b, 'Completed', least({2}, {1} - b * {2}), 1 FROM generate_series(0, ({1} - 1) / {2}) AS b;
            INSERT INTO results (job_id, image_id, top1_index, top1_label, top1_probability, top_k, created_at)
                SELECT {0}, i, i % 1000, 'class ' || (i % 1000), 0.5, '[]', now() FROM generate_series(0, {1} - 1) AS i WHERE i % 1000 <> 999;
            INSERT INTO image_errors (job_id, image_id, kind, message, created_at)
                SELECT {0}, i, 'truncated', 'image ' || i || ' is truncated', now() FROM generate_series(999, {1} - 1, 1000) AS i
            """, [jobId, rows, BatchSize], ct);
        await db.Database.ExecuteSqlRawAsync(BatchOutcomeCounts.RecountSql("{0}", "SELECT batch_index FROM batches WHERE job_id = {0}"), [jobId], ct);
        // Counting rows at its best: statistics and the visibility map up to date, so the count is an index-only scan.
        await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE results", ct);
        await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE image_errors", ct);
        await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE batches", ct);
        var expected = (rows - rows / 1000L, rows / 1000L);

        var (summed, counted, failedSummed, failedCounted) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(expected, await TimeAsync(summed, () => JobOutcomes.CountAsync(db, jobId, ct)));
            Assert.Equal(expected, await TimeAsync(counted, () => CountRowsAsync(db, jobId, ct)));
            Assert.Equal(expected.Item2, await TimeAsync(failedSummed, () => JobOutcomes.CountFailedAsync(db, jobId, ct)));
            Assert.Equal(expected.Item2, await TimeAsync(failedCounted, () => CountFailedRowsAsync(db, jobId, ct)));
        }
        output.WriteLine($"{rows:N0} images in {(rows + BatchSize - 1) / BatchSize:N0} batches, running: outcome counts summed over its batches {Median(summed):F2} ms, " +
            $"counted from its rows (before) {Median(counted):F2} ms; its failures alone summed {Median(failedSummed):F2} ms, counted from its rows {Median(failedCounted):F2} ms " +
            "(medians of 15 alternating reads after one warm-up)");

        var settle = new List<double>();
        Assert.True(await TimeAsync(settle, () => JobTransitions.FinishAsync(db, jobId, JobState.Succeeded, null, DateTimeOffset.UtcNow, ct)));
        var settled = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId, ct);
        var unsettled = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId, ct);
        unsettled.SettledSucceeded = unsettled.SettledFailed = null;

        var progress = new ProgressReader(TimeProvider.System);
        var (fromSettled, fromBatches) = (new List<double>(), new List<double>());
        for (var i = 0; i < 16; i++)
        {
            foreach (var (job, times) in new[] { (settled, fromSettled), (unsettled, fromBatches) })
            {
                var report = await TimeAsync(times, () => progress.ReadAsync(db, job, ct));
                Assert.Equal((expected.Item1, expected.Item2, 0L), (report.Succeeded, report.Failed, report.Remaining));
            }
        }
        output.WriteLine($"{rows:N0} images, finished: settling once {settle[0]:F1} ms; progress read from the settled counts {Median(fromSettled):F2} ms, " +
            $"summed over its batches {Median(fromBatches):F2} ms (medians of 15 alternating reads after one warm-up)");
    }

    /// <summary>The counts as they were read before batches kept them: every result and error row of the job.</summary>
    private static async Task<(long, long)> CountRowsAsync(DlaDbContext db, Guid jobId, CancellationToken ct) =>
        (await db.Results.LongCountAsync(r => r.JobId == jobId, ct), await CountFailedRowsAsync(db, jobId, ct));

    private static Task<long> CountFailedRowsAsync(DlaDbContext db, Guid jobId, CancellationToken ct) =>
        db.Errors.LongCountAsync(e => e.JobId == jobId && !db.Results.Any(r => r.JobId == e.JobId && r.ImageId == e.ImageId), ct);

    private static async Task<T> TimeAsync<T>(List<double> times, Func<Task<T>> read)
    {
        var clock = Stopwatch.StartNew();
        var value = await read();
        times.Add(clock.Elapsed.TotalMilliseconds);
        return value;
    }

    private static double Median(List<double> times)
    {
        var warm = times.Skip(1).Order().ToList();
        return warm[warm.Count / 2];
    }
}
