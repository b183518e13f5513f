using Dla.Testing;
using System.Diagnostics;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Persistence.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dla.Persistence.Tests.Results;

/// <summary>
/// Measures <see cref="PostgresResultWriter"/> with 512-dimensional embeddings (dla34's size) and
/// prints rows/s; docs/benchmarks.md records the numbers. No wall-clock assertion: timings depend on
/// the machine. The second case stores <c>results."Embedding"</c> inline (<c>STORAGE PLAIN</c>, not
/// in the migrations) to show what that schema change would bring.
/// </summary>
public sealed class PostgresResultWriterThroughputTests(ITestOutputHelper output)
{
    private const int Rows = 20_000;
    private const int BatchSize = 1_000;
    private const int EmbeddingDim = 512;

    /// <summary>Untimed batches first, so the numbers are for JIT-optimised code (a worker runs for hours).</summary>
    private const int WarmUpBatches = 5;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Writes_20000_results_with_512_dim_embeddings_and_reports_rows_per_second(bool inlineEmbeddingColumn)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = new PostgresTestDatabase();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "postgres",
            ["ConnectionStrings:Postgres"] = await database.ConnectionStringAsync(),
        }).Build();
        await using var services = new ServiceCollection().AddDlaDatabase(configuration).AddDlaResultWriter(configuration).BuildServiceProvider();
        var writer = services.GetRequiredService<IResultWriter>();
        if (inlineEmbeddingColumn)
        {
            await using var command = services.GetRequiredService<NpgsqlDataSource>().CreateCommand("""ALTER TABLE results ALTER COLUMN "Embedding" SET STORAGE PLAIN""");
            await command.ExecuteNonQueryAsync(ct);
        }
        var jobId = Guid.NewGuid();
        var batches = Rows / BatchSize + WarmUpBatches;
        await using (var db = await services.GetRequiredService<IDlaDbContextFactory>().CreateAsync(ct))
        {
            db.Jobs.Add(new Job { Id = jobId, Dataset = "/data", Model = "dla34", CreatedAt = DateTimeOffset.UtcNow });
            db.Batches.AddRange(Enumerable.Range(0, batches).Select(i => new Batch { JobId = jobId, BatchIndex = i, State = BatchState.Dispatched, ImageCount = BatchSize }));
            await db.SaveChangesAsync(ct);
        }
        var outcomes = Enumerable.Range(0, batches).Select(b => new BatchOutcome(jobId, b,
            Enumerable.Range(b * BatchSize, BatchSize).Select(i => ResultWriterTests.Result(jobId, i, EmbeddingDim)).ToArray(), [])).ToArray();
        foreach (var outcome in outcomes[..WarmUpBatches])
        {
            await writer.WriteAsync(outcome, ct);
        }

        var clock = Stopwatch.StartNew();
        foreach (var outcome in outcomes[WarmUpBatches..])
        {
            await writer.WriteAsync(outcome, ct);
        }
        clock.Stop();

        output.WriteLine($"PostgresResultWriter{(inlineEmbeddingColumn ? " (results.Embedding STORAGE PLAIN)" : "")}: {Rows} rows ({EmbeddingDim}-dim embeddings, {BatchSize} per batch) in {clock.Elapsed.TotalSeconds:F2} s = {Rows / clock.Elapsed.TotalSeconds:F0} rows/s");
        await using var check = await services.GetRequiredService<IDlaDbContextFactory>().CreateAsync(ct);
        Assert.Equal(batches * BatchSize, await check.Results.CountAsync(r => r.JobId == jobId, ct));
    }
}
