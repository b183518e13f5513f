using Dla.Persistence.Database;
using Dla.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dla.Persistence.Jobs;
using Dla.Persistence.Results;
using Dla.Scheduler.Search;
using Dla.Scheduler.Tests.Hosting;
using Npgsql;
using Pgvector;
using Parquet.Serialization;

namespace Dla.Scheduler.Tests;

/// <summary>The distributed mode: PostgreSQL with pgvector and RabbitMQ, a fresh database and virtual host for the class.</summary>
public sealed class PostgresRabbitMqTests(RealServiceEnvironment services) : IClassFixture<RealServiceEnvironment>, IDisposable
{
    private readonly TestDataset _dataset = new(images: 103);

    public void Dispose() => _dataset.Dispose();

    /// <summary>
    /// 512 lands in its sized column (dla34's size); 2 in the any-size column, indexed through a cast; an fp16 job's
    /// in the halfvec column, indexed through a cast to halfvec(512), and exported as float32.
    /// </summary>
    [Theory]
    [InlineData(512, EmbeddingPrecisions.Fp32)]
    [InlineData(2, EmbeddingPrecisions.Fp32)]
    [InlineData(512, EmbeddingPrecisions.Fp16)]
    public async Task A_job_runs_to_success_over_rabbitmq_and_is_searchable_through_its_hnsw_index(int embeddingSize, string precision)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        // The angle in the first two components, zeros after: cosine distances do not change with the size.
        float[] Embedding(long imageId) => [.. SearchTests.Angle(imageId), .. new float[embeddingSize - 2]];
        await using var host = await StartAsync();
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 10, embedding_precision = precision });

        foreach (var batch in await host.AllBatchesReceivedAsync(jobId, 11))
        {
            await host.Worker.ProcessAsync(batch, batch.BatchIndex == 2 ? new Dictionary<long, string> { [20] = "unreadable" } : null, Embedding);
        }

        await host.JobReachesAsync(jobId, JobState.Succeeded);
        var progress = await host.Http.GetFromJsonAsync<JsonElement>($"/jobs/{jobId}", cancellationToken);
        Assert.Equal((102L, 1L, 0L), (progress.GetProperty("progress").GetProperty("succeeded").GetInt64(),
            progress.GetProperty("progress").GetProperty("failed").GetInt64(), progress.GetProperty("progress").GetProperty("remaining").GetInt64()));
        var index = SearchIndexBuilder.IndexName(jobId);
        await Eventually.HoldsAsync(() => IndexIsValidAsync(host, index), valid => valid, $"index {index} to be built and valid");
        Assert.Equal(EmbeddingColumns.For(embeddingSize, precision), await ColumnHoldingTheEmbeddingsAsync(jobId));
        Assert.True(await IndexServesTheSearchQueryAsync(jobId, embeddingSize, precision, index), "the search query must be able to use the job's partial HNSW index");

        var paths = _dataset.ListingOrder;
        using var response = await host.Http.PostAsJsonAsync($"/jobs/{jobId}/search", new { image_path = paths[10], k = 4 }, SchedulerHost.Json, cancellationToken);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, result.ToString());
        var hits = result.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("image_id").GetInt64()).ToList();
        // Angles repeat every 36 images: 46 and 82 point exactly the same way as 10; then 9 or 11.
        Assert.Equal([46L, 82L], hits.Take(2).Order());
        Assert.Subset(new HashSet<long> { 9, 11, 45, 47, 81, 83 }, hits.Skip(2).ToHashSet());

        await using var parquet = new MemoryStream(await host.Http.GetByteArrayAsync($"/jobs/{jobId}/export?format=parquet", cancellationToken));
        var rows = (await ParquetSerializer.DeserializeAsync<ExportTests.ParquetRow>(parquet, cancellationToken: cancellationToken)).Data;
        Assert.Equal(103, rows.Count);
        var exported = Embedding(10);
        if (precision == EmbeddingPrecisions.Fp16)
        {
            HalfVectors.Round(exported);
        }
        Assert.Equal(exported, rows[10].Embedding!);
    }

    [Fact]
    public async Task A_batch_faulted_through_rabbitmq_fails_the_job_until_it_is_retried()
    {
        await using var host = await StartAsync();
        host.Recorder.FailWhen = b => b.BatchIndex == 0 && b.Dispatch == 1;
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 60 });
        var batches = await host.AllBatchesReceivedAsync(jobId, 2);
        await host.Worker.ProcessAsync(batches[1]);

        var failed = await host.JobReachesAsync(jobId, JobState.Failed);
        Assert.Equal("1 batches failed; run retry-failed", failed.FailureReason);

        using var retry = await host.Http.PostAsync($"/jobs/{jobId}/retry-failed", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var again = await Eventually.HoldsAsync(() => Task.FromResult(host.Recorder.For(jobId).Where(b => b.Dispatch == 2).ToList()), b => b.Count == 1, "the failed batch to be dispatched again");
        await host.Worker.ProcessAsync(again[0]);
        await host.JobReachesAsync(jobId, JobState.Succeeded);
    }

    private Task<SchedulerHost> StartAsync() => SchedulerHost.StartPostgresRabbitMqAsync(services, _dataset.Root);

    /// <summary>
    /// The index exists and is valid: the planner ignores an index that is not (yet) valid, e.g. one still
    /// being built <c>CONCURRENTLY</c>, so asking it about the plan before would fail at random.
    /// </summary>
    private static async Task<bool> IndexIsValidAsync(SchedulerHost host, string index)
    {
        await using var db = await host.Databases.CreateAsync(TestContext.Current.CancellationToken);
        var connection = (NpgsqlConnection)Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.GetDbConnection(db.Database);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = @name AND i.indisvalid", connection);
        command.Parameters.AddWithValue("name", index);
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))! == 1;
    }

    /// <summary>
    /// Whether the HNSW index can serve the search query, i.e. the query matches its expression and predicate.
    /// For a job of 103 rows an index scan of the primary key plus a sort is cheaper than the HNSW scan once
    /// the table has statistics (autovacuum's ANALYZE runs at its own time, which made this check fail on some
    /// machines and not on others). So the statistics are made current first, and every other plan is ruled
    /// out: with sequential scans and sorts off, only the HNSW index returns rows ordered by distance. At a
    /// few thousand rows the planner picks the index by itself (docs/search.md).
    /// </summary>
    private async Task<bool> IndexServesTheSearchQueryAsync(Guid jobId, int embeddingSize, string precision, string index)
    {
        await QueryAsync("ANALYZE results", 0);
        var plan = await QueryAsync($"EXPLAIN {SimilaritySearch.NearestSql(jobId, embeddingSize, precision)}", embeddingSize, "SET enable_seqscan = off; SET enable_sort = off", precision);
        return plan.Any(line => line.Contains(index, StringComparison.Ordinal));
    }

    /// <summary>The one embedding column with values for the job (every other stays null).</summary>
    private async Task<string> ColumnHoldingTheEmbeddingsAsync(Guid jobId)
    {
        var filled = new List<string>();
        foreach (var column in EmbeddingColumns.All)
        {
            var count = await QueryAsync($"""SELECT count(*)::text FROM results WHERE job_id = '{jobId}' AND "{column}" IS NOT NULL""", 0);
            if (count.Single() != "0")
            {
                filled.Add(column);
            }
        }
        return Assert.Single(filled);
    }

    private async Task<List<string>> QueryAsync(string sql, int querySize, string? setting = null, string precision = EmbeddingPrecisions.Fp32)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var (postgres, _) = await services.GetAsync();
        var builder = new NpgsqlDataSourceBuilder(PostgresDlaDbContext.WithSearchPath(postgres));
        builder.UseVector();
        await using var dataSource = builder.Build();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (setting is not null)
        {
            await using var set = new NpgsqlCommand(setting, connection);
            await set.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var command = new NpgsqlCommand(sql, connection);
        if (querySize > 0)
        {
            var query = new float[querySize];
            query[0] = 1;
            command.Parameters.AddWithValue("query", precision == EmbeddingPrecisions.Fp16 ? HalfVectors.Of(query) : new Vector(query));
            command.Parameters.AddWithValue("limit", 5);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lines = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(reader.GetString(0));
        }
        return lines;
    }
}
