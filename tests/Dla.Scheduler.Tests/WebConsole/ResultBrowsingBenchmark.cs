using System.Diagnostics;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Browsing;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Scheduler.Tests.WebConsole;

/// <summary>
/// The console's results grid at 10⁶ rows (docs/console.md): the first page and a page half-way through, in each
/// order and with the filters the console offers, read by keyset through <see cref="ResultBrowser"/> on PostgreSQL.
/// A benchmark: prints median milliseconds, asserts only that pages are not empty; runs with <c>DLA_BENCH=1</c>.
/// </summary>
public sealed class ResultBrowsingBenchmark(ITestOutputHelper output)
{
    [Fact]
    public async Task Pages_of_a_million_row_job_in_every_order()
    {
        Benchmarks.SkipUnlessEnabled();
        var ct = TestContext.Current.CancellationToken;
        var rows = Benchmarks.Rows(otherwise: 1_000_000);
        await using var database = new PostgresTestDatabase();
        await using var services = await database.ServicesAsync();
        var databases = services.GetRequiredService<IDlaDbContextFactory>();
        var jobId = Guid.NewGuid();
        await using (var db = await databases.CreateAsync(ct))
        {
            db.Jobs.Add(new Job { Id = jobId, Dataset = "/data", Model = "dla34", State = JobState.Succeeded, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(ct);
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
            // 1,000 labels, probabilities spread over [0, 1) with many ties (three decimals), as a real job's are.
            await db.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO results (job_id, image_id, top1_index, top1_label, top1_probability, top_k, created_at)
                SELECT {0}, i, i % 1000, 'class ' || (i::bigint * 7919 % 1000), ((i::bigint * 2654435761) % 1000) / 1000.0, '[]', now()
                FROM generate_series(0, {1} - 1) AS i
                """, [jobId, rows], ct);
            await db.Database.ExecuteSqlRawAsync(
                """INSERT INTO images (job_id, image_id, path, batch_index) SELECT {0}, i, 'photos/' || i || '.jpg', i / 1000 FROM generate_series(0, {1} - 1) AS i""",
                [jobId, rows], ct);
            await db.Database.ExecuteSqlRawAsync("ANALYZE results; ANALYZE images;", ct);
        }
        output.WriteLine($"{rows:N0} results and manifest rows of one job; pages of 60 (the console's), median of 15 reads each:");
        (string Name, ResultOrder Order, string? Label, float? Min, float? Max)[] cases =
        [
            ("dataset order", ResultOrder.Image, null, null, null),
            ("least confident first", ResultOrder.Probability, null, null, null),
            ("most confident first", ResultOrder.ProbabilityDesc, null, null, null),
            ("low confidence (p < 0.5), least first", ResultOrder.Probability, null, null, 0.5f),
            ("one label, least confident first", ResultOrder.Probability, "class 7", null, null),
            ("one label, dataset order", ResultOrder.Image, "class 7", null, null),
        ];
        foreach (var (name, order, label, min, max) in cases)
        {
            // The half-way cursor, found once and untimed: the row at the middle of the filtered order.
            var query = new ResultQuery(order, null, label, min, max, 60);
            int total;
            ResultCursor? middle;
            await using (var db = await databases.CreateAsync(ct))
            {
                db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
                var matching = db.Results.Where(r => r.JobId == jobId && (label == null || r.Top1Label == label)
                    && (min == null || r.Top1Probability >= min) && (max == null || r.Top1Probability <= max));
                total = await matching.CountAsync(ct);
                var sorted = order switch
                {
                    ResultOrder.Probability => matching.OrderBy(r => r.Top1Probability).ThenBy(r => r.ImageId),
                    ResultOrder.ProbabilityDesc => matching.OrderByDescending(r => r.Top1Probability).ThenByDescending(r => r.ImageId),
                    _ => matching.OrderBy(r => r.ImageId),
                };
                // Rounded down, so a page follows it however few rows match (one label matches 2 at DLA_BENCH_ROWS=2000).
                Assert.True(total >= 2, $"{name}: {total} matching rows at {rows:N0}; a page after the middle needs 2 or more (raise DLA_BENCH_ROWS)");
                var row = await sorted.Skip((total - 1) / 2).Select(r => new { r.Top1Probability, r.ImageId }).FirstAsync(ct);
                middle = ResultCursor.TryParse(order, ResultCursor.Of(order, row.Top1Probability, row.ImageId));
            }
            var first = await MedianMillisecondsAsync(databases, jobId, query, ct);
            var deep = await MedianMillisecondsAsync(databases, jobId, query with { After = middle }, ct);
            output.WriteLine($"{name,-40} {total,9:N0} rows: first page {first,6:F1} ms, page after row {(total - 1) / 2:N0}: {deep,6:F1} ms");
        }
    }

    private static async Task<double> MedianMillisecondsAsync(IDlaDbContextFactory databases, Guid jobId, ResultQuery query, CancellationToken ct)
    {
        var times = new List<double>();
        await using var db = await databases.CreateAsync(ct);
        for (var i = 0; i < 16; i++)
        {
            var clock = Stopwatch.StartNew();
            var page = await ResultBrowser.ReadAsync(db, jobId, query, ct);
            if (i > 0)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            Assert.NotEmpty(page.Items);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
