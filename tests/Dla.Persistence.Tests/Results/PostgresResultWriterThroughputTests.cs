using Dla.Testing;
using System.Diagnostics;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Persistence.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Persistence.Tests.Results;

/// <summary>
/// Measures <see cref="PostgresResultWriter"/> on the migrated schema with embeddings of dla34's size
/// (512, the issue's benchmark) and of the large models (1024), and prints rows/s per round and their
/// median; docs/benchmarks.md records the numbers. No wall-clock assertion: timings depend on the machine.
/// </summary>
public sealed class PostgresResultWriterThroughputTests(ITestOutputHelper output)
{
    private const int RowsPerRound = 20_000;
    private const int Rounds = 5;
    private const int BatchSize = 1_000;
    private const int BatchesPerRound = RowsPerRound / BatchSize;

    /// <summary>An untimed round first, so the numbers are for JIT-optimised code (a worker runs for hours).</summary>
    private const int WarmUpRounds = 1;

    [Theory]
    [InlineData(512)]
    [InlineData(1024)]
    public async Task Writes_results_with_embeddings_and_reports_rows_per_second(int embeddingDim)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = new PostgresTestDatabase();
        await using var services = await database.ServicesAsync();
        var writer = services.GetRequiredService<IResultWriter>();
        var rates = new List<double>();
        for (var round = 0; round < WarmUpRounds + Rounds; round++)
        {
            // A job per round, so every round writes new rows (the first-delivery path) into a growing table.
            var jobId = Guid.NewGuid();
            await using (var db = await services.GetRequiredService<IDlaDbContextFactory>().CreateAsync(ct))
            {
                db.Jobs.Add(new Job { Id = jobId, Dataset = "/data", Model = "dla34", CreatedAt = DateTimeOffset.UtcNow });
                db.Batches.AddRange(Enumerable.Range(0, BatchesPerRound).Select(i => new Batch { JobId = jobId, BatchIndex = i, State = BatchState.Queued, ImageCount = BatchSize }));
                await db.SaveChangesAsync(ct);
            }
            var outcomes = Enumerable.Range(0, BatchesPerRound).Select(b => new BatchOutcome(jobId, b,
                Enumerable.Range(b * BatchSize, BatchSize).Select(i => ResultWriterTests.Result(jobId, i, embeddingDim)).ToArray(), [])).ToArray();

            var clock = Stopwatch.StartNew();
            foreach (var outcome in outcomes)
            {
                await writer.WriteAsync(outcome, ct);
            }
            clock.Stop();

            if (round >= WarmUpRounds)
            {
                rates.Add(RowsPerRound / clock.Elapsed.TotalSeconds);
            }
            await using var check = await services.GetRequiredService<IDlaDbContextFactory>().CreateAsync(ct);
            Assert.Equal(RowsPerRound, await check.Results.CountAsync(r => r.JobId == jobId, ct));
        }

        output.WriteLine($"PostgresResultWriter: {embeddingDim}-dim embeddings, {BatchSize} rows per batch, {Rounds} rounds of {RowsPerRound} rows: " +
            $"{string.Join(" ", rates.Select(r => r.ToString("F0")))} rows/s, median {rates.Order().ElementAt(rates.Count / 2):F0} rows/s");
    }
}
