using System.Diagnostics;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Progress;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Scheduler.Tests;

/// <summary>
/// The progress of a finished job of 10⁶ images on PostgreSQL (docs/benchmarks.md): read from its settled counts
/// against counted from its rows, in alternating reads, and what settling costs once when the job finishes; and, while it
/// runs, what the completion check of a job with a failure threshold reads after every batch (its failures) against
/// what it read before (every outcome). A benchmark: prints medians, asserts only that both reads agree; runs with <c>DLA_BENCH=1</c> (<c>DLA_BENCH_ROWS</c>).
/// </summary>
public sealed class SettledProgressBenchmark(ITestOutputHelper output)
{
    [Fact]
    public async Task A_finished_million_image_jobs_progress_settled_and_counted()
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
        // One image in a thousand failed; the rest have a result (without an embedding: a lower bound on what counting costs).
        await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO results (job_id, image_id, top1_index, top1_label, top1_probability, top_k, created_at)
            SELECT {0}, i, i % 1000, 'class ' || (i % 1000), 0.5, '[]', now() FROM generate_series(0, {1} - 1) AS i WHERE i % 1000 <> 999
            """, [jobId, rows], ct);
        await db.Database.ExecuteSqlRawAsync(
            """
            INSERT INTO image_errors (job_id, image_id, kind, message, created_at)
            SELECT {0}, i, 'truncated', 'image ' || i || ' is truncated', now() FROM generate_series(999, {1} - 1, 1000) AS i
            """, [jobId, rows], ct);
        // Counting at its best: statistics and the visibility map up to date, so the count is an index-only scan.
        await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE results", ct);
        await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE image_errors", ct);

        var (failuresOnly, everyOutcome) = (new List<double>(), new List<double>());
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 16; i++)
        {
            clock.Restart();
            Assert.Equal(rows / 1000L, await JobOutcomes.CountFailedAsync(db, jobId, ct));
            failuresOnly.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            Assert.Equal((rows - rows / 1000L, rows / 1000L), await JobOutcomes.CountAsync(db, jobId, ct));
            everyOutcome.Add(clock.Elapsed.TotalMilliseconds);
        }
        output.WriteLine($"{rows:N0} images, running, max_failed_images set: the per-batch completion check counts its failures in {Median(failuresOnly):F2} ms, " +
            $"every outcome (before) in {Median(everyOutcome):F2} ms (medians of 15 alternating reads after one warm-up)");

        clock.Restart();
        Assert.True(await JobTransitions.FinishAsync(db, jobId, JobState.Succeeded, null, DateTimeOffset.UtcNow, ct));
        var settle = clock.Elapsed.TotalMilliseconds;
        var settled = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId, ct);
        var unsettled = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId, ct);
        unsettled.SettledSucceeded = unsettled.SettledFailed = null;

        var progress = new ProgressReader(TimeProvider.System);
        var (fromSettled, fromRows) = (new List<double>(), new List<double>());
        for (var i = 0; i < 16; i++)
        {
            foreach (var (job, times) in new[] { (settled, fromSettled), (unsettled, fromRows) })
            {
                clock.Restart();
                var report = await progress.ReadAsync(db, job, ct);
                times.Add(clock.Elapsed.TotalMilliseconds);
                Assert.Equal((rows - rows / 1000L, rows / 1000L, 0L), (report.Succeeded, report.Failed, report.Remaining));
            }
        }
        output.WriteLine($"{rows:N0} images, finished: settling once {settle:F1} ms; progress read from the settled counts {Median(fromSettled):F2} ms, " +
            $"counted from the rows {Median(fromRows):F2} ms (medians of 15 alternating reads after one warm-up)");
    }

    private static double Median(List<double> times)
    {
        var warm = times.Skip(1).Order().ToList();
        return warm[warm.Count / 2];
    }
}
