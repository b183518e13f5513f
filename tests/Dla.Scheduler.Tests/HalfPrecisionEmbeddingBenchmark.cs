using System.Diagnostics;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Persistence.Results;
using Dla.Scheduler.Search;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pgvector;

namespace Dla.Scheduler.Tests;

/// <summary>
/// <c>embedding_precision: fp16</c> against fp32 on the same 512-float embeddings (docs/benchmarks.md): bytes per row
/// and per index, the result writer's rows/s (batches of the two jobs alternate, so both see the same machine), and
/// recall@10 of the job's HNSW search against the exact float32 neighbours. A benchmark: prints, asserts only that
/// the numbers exist; runs with <c>DLA_BENCH=1</c> (<c>DLA_BENCH_ROWS</c> rows, default 20,000).
/// </summary>
public sealed class HalfPrecisionEmbeddingBenchmark(ITestOutputHelper output)
{
    private const int Dimension = 512;
    private const int BatchSize = 1_000;
    private const int Queries = 200;
    private const int K = 10;

    [Fact]
    public async Task Fp16_against_fp32_bytes_writer_rate_and_recall()
    {
        Benchmarks.SkipUnlessEnabled();
        var ct = TestContext.Current.CancellationToken;
        var rows = Benchmarks.Rows(otherwise: 20_000) / BatchSize * BatchSize;
        await using var database = new PostgresTestDatabase();
        await using var services = await database.ServicesAsync();
        var databases = services.GetRequiredService<IDlaDbContextFactory>();
        var writer = services.GetRequiredService<IResultWriter>();
        var embeddings = ClusteredEmbeddings(rows + Queries, seed: 7);
        var jobs = new Dictionary<string, Guid> { [EmbeddingPrecisions.Fp32] = Guid.NewGuid(), [EmbeddingPrecisions.Fp16] = Guid.NewGuid() };
        await using (var db = await databases.CreateAsync(ct))
        {
            foreach (var (precision, id) in jobs)
            {
                db.Jobs.Add(new Job { Id = id, Dataset = "/data", Model = "dla34", State = JobState.Running, CreatedAt = DateTimeOffset.UtcNow, EmbeddingPrecision = precision, EmbeddingDim = Dimension });
                db.Batches.AddRange(Enumerable.Range(0, rows / BatchSize).Select(b => new Batch { JobId = id, BatchIndex = b, State = BatchState.Queued, ImageCount = BatchSize }));
            }
            await db.SaveChangesAsync(ct);
        }

        // The writer: batch b of one job, then of the other, the order alternating per batch.
        var seconds = jobs.Keys.ToDictionary(p => p, _ => new List<double>());
        for (var b = 0; b < rows / BatchSize; b++)
        {
            foreach (var precision in b % 2 == 0 ? jobs.Keys : jobs.Keys.Reverse())
            {
                var jobId = jobs[precision];
                var outcome = new BatchOutcome(jobId, b, [.. Enumerable.Range(b * BatchSize, BatchSize).Select(i => Result(jobId, i, embeddings[i]))], []);
                var clock = Stopwatch.StartNew();
                Assert.True(await writer.WriteAsync(outcome, ct));
                seconds[precision].Add(clock.Elapsed.TotalSeconds);
            }
        }

        var indexes = new SearchIndexBuilder(databases, NullLogger<SearchIndexBuilder>.Instance);
        var connectionString = await database.ConnectionStringAsync();
        var source = new NpgsqlDataSourceBuilder(PostgresDlaDbContext.WithSearchPath(connectionString));
        source.UseVector();
        await using var dataSource = source.Build();
        await using (var analyze = dataSource.CreateCommand("ANALYZE results"))
        {
            await analyze.ExecuteNonQueryAsync(ct);
        }
        var truth = Enumerable.Range(rows, Queries).Select(q => ExactNearest(embeddings, rows, embeddings[q])).ToList();
        output.WriteLine($"{rows:N0} rows of {Dimension}-float embeddings per job (200 clusters), batches of {BatchSize:N0}; recall@{K} of {Queries} queries against exact float32 neighbours:");
        foreach (var (precision, jobId) in jobs)
        {
            var indexClock = Stopwatch.StartNew();
            await indexes.EnsureIndexAsync(jobId, ct);
            var indexSeconds = indexClock.Elapsed.TotalSeconds;
            var column = EmbeddingColumns.For(Dimension, precision);
            var bytes = await ScalarAsync<double>(dataSource, $"""SELECT avg(pg_column_size("{column}"))::float8 FROM results WHERE job_id = '{jobId}'""", ct);
            var indexBytes = await ScalarAsync<long>(dataSource, $"SELECT pg_relation_size('\"{SearchIndexBuilder.IndexName(jobId)}\"')", ct);
            var recall = 0.0;
            for (var q = 0; q < Queries; q++)
            {
                var found = await SearchAsync(dataSource, jobId, precision, embeddings[rows + q], ct);
                recall += found.Intersect(truth[q]).Count() / (double)K;
            }
            var median = seconds[precision].Order().ElementAt(seconds[precision].Count / 2);
            output.WriteLine($"{precision}: {bytes:F0} bytes per embedding, HNSW index {indexBytes / 1048576.0:F1} MiB ({indexBytes / (double)rows:F0} bytes/row, built in {indexSeconds:F1} s), " +
                $"writer {BatchSize / median:F0} rows/s (median of {seconds[precision].Count} batches), recall@{K} {recall / Queries:F4}");
            Assert.True(bytes > 0 && indexBytes > 0);
        }
        // What rounding alone costs, without the index: exact search over the float16-rounded values.
        var rounded = embeddings.Select(e => { var r = (float[])e.Clone(); HalfVectors.Round(r); return r; }).ToArray();
        var exactRecall = Enumerable.Range(0, Queries).Average(q => ExactNearest(rounded, rows, rounded[rows + q]).Intersect(truth[q]).Count() / (double)K);
        output.WriteLine($"fp16 exact search (no index, rounding alone): recall@{K} {exactRecall:F4}");
    }

    private static ImageResult Result(Guid jobId, long imageId, float[] embedding) => new()
    {
        JobId = jobId, ImageId = imageId, Top1Index = 1, Top1Label = "goldfish", Top1Probability = 0.5f, TopKJson = "[]", Embedding = embedding,
    };

    /// <summary>
    /// Embeddings shaped like a CNN's pooled features: non-negative (after ReLU), around 200 cluster centres (classes),
    /// each point its centre plus noise of about the centres' own spread.
    /// </summary>
    private static float[][] ClusteredEmbeddings(int count, int seed)
    {
        var random = new Random(seed);
        float Gaussian() => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        var centres = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, Dimension).Select(_ => Gaussian()).ToArray()).ToArray();
        return Enumerable.Range(0, count).Select(_ =>
        {
            var centre = centres[random.Next(centres.Length)];
            return centre.Select(c => MathF.Max(0, c + 0.8f * Gaussian())).ToArray();
        }).ToArray();
    }

    /// <summary>The ids of the k nearest of the first <paramref name="rows"/> embeddings by cosine distance.</summary>
    private static long[] ExactNearest(float[][] embeddings, int rows, float[] query) =>
        [.. Enumerable.Range(0, rows).OrderBy(i => CosineDistance(embeddings[i], query)).Take(K).Select(i => (long)i)];

    private static double CosineDistance(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * (double)b[i];
            na += a[i] * (double)a[i];
            nb += b[i] * (double)b[i];
        }
        return 1 - dot / Math.Sqrt(na * nb);
    }

    /// <summary>The product's search query (<see cref="SimilaritySearch.NearestSql"/>) with its ef_search, on the job's index.</summary>
    private static async Task<long[]> SearchAsync(NpgsqlDataSource dataSource, Guid jobId, string precision, float[] query, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var ef = new NpgsqlCommand("SET LOCAL hnsw.ef_search = 40", connection, transaction))
        {
            await ef.ExecuteNonQueryAsync(ct);
        }
        await using var command = new NpgsqlCommand(SimilaritySearch.NearestSql(jobId, Dimension, precision), connection, transaction);
        command.Parameters.AddWithValue("query", precision == EmbeddingPrecisions.Fp16 ? HalfVectors.Of(query) : new Vector(query));
        command.Parameters.AddWithValue("limit", K);
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }
        return [.. ids];
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }
}
