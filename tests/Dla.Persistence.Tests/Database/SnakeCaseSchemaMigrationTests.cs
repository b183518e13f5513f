using System.Text.Json;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dla.Persistence.Tests.Database;

/// <summary>
/// Migration <c>SnakeCaseSchema</c> on a database with data: the tables move from <c>public</c> with quoted PascalCase
/// columns to the <c>dla</c> schema with snake_case ones, the top-k from text to jsonb, and nothing is lost: rows, an
/// embedding, a job's HNSW index (which the search query still uses) and the <c>dla.image_labels</c> view.
/// </summary>
public sealed class SnakeCaseSchemaMigrationTests
{
    private const string Before = "20261202075052_EmbeddingPrecision";
    private const string SqliteBefore = "20261202075103_EmbeddingPrecision";
    private const string TopK = """[{"index": 7, "label": "tench, Tinca tinca", "probability": 0.875}]""";

    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostgreSQL_moves_every_row_into_the_dla_schema_with_snake_case_columns_and_jsonb_top_k()
    {
        await using var database = new PostgresTestDatabase { MigrateUpTo = Before };
        var connectionString = await database.ConnectionStringAsync();
        var jobId = Guid.NewGuid();
        // The schema before the migration, so raw SQL rather than today's model.
        await ExecuteAsync(connectionString, $"""
            INSERT INTO public.jobs ("Id", "Dataset", "Model", "Seed", "Precision", "Tasks", "TopK", "BatchSize", "State", "ListedImages", "PlannedBatches", "ListingComplete", "CreatedAt", "EmbeddingDim")
                VALUES ('{jobId}', '/data', 'dla34', 0, 'fp32', 3, 5, 32, 'Succeeded', 3, 1, true, now(), 512);
            INSERT INTO public.batches ("JobId", "BatchIndex", "State", "ImageCount", "Dispatches") VALUES ('{jobId}', 0, 'Completed', 3, 1);
            INSERT INTO public.images ("JobId", "ImageId", "Path", "BatchIndex") VALUES ('{jobId}', 0, 'a.jpg', 0), ('{jobId}', 1, 'b.jpg', 0), ('{jobId}', 2, 'bad.jpg', 0);
            INSERT INTO public.results ("JobId", "ImageId", "Top1Index", "Top1Label", "Top1Probability", "TopKJson", "Embedding512", "CreatedAt") VALUES
                ('{jobId}', 0, 7, 'tench, Tinca tinca', 0.875, '{TopK}', array_fill(0.25, ARRAY[512])::vector, now()),
                ('{jobId}', 1, 7, 'tench, Tinca tinca', 0.5, '{TopK}', array_fill(0.5, ARRAY[512])::vector, now());
            INSERT INTO public.image_errors ("JobId", "ImageId", "Kind", "Message", "CreatedAt") VALUES ('{jobId}', 2, 'truncated', 'bad.jpg is truncated', now());
            CREATE INDEX "ix_results_embedding_{jobId:N}" ON public.results USING hnsw ("Embedding512" vector_cosine_ops) WHERE "JobId" = '{jobId}';
            """);

        await using (var context = new PostgresDlaDbContext(new DbContextOptionsBuilder<PostgresDlaDbContext>().UseNpgsql(connectionString, PostgresDlaDbContext.Configure).Options))
        {
            await context.Database.MigrateAsync(_ct);
        }

        // The history stays where and as it was (public, "MigrationId"), so later migrations find what ran.
        Assert.Equal("1", await ScalarAsync(connectionString, """SELECT count(*)::text FROM public."__EFMigrationsHistory" WHERE "MigrationId" LIKE '%_SnakeCaseSchema'"""));
        Assert.Equal("batches,image_errors,images,jobs,results", await ScalarAsync(connectionString,
            "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'dla'"));
        Assert.Equal("0", await ScalarAsync(connectionString,
            "SELECT count(*)::text FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('jobs', 'batches', 'images', 'results', 'image_errors')"));
        Assert.Equal("jsonb", await ScalarAsync(connectionString, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'dla.results'::regclass AND attname = 'top_k'"));
        Assert.Equal("tench, Tinca tinca", await ScalarAsync(connectionString, $"SELECT top_k->0->>'label' FROM dla.results WHERE job_id = '{jobId}' AND image_id = 0"));

        // Today's model reads what was written before.
        var configuration = await database.ConfigurationAsync();
        await using var services = new ServiceCollection().AddDlaDatabase(configuration).BuildServiceProvider();
        await using var db = await services.GetRequiredService<IDlaDbContextFactory>().CreateAsync(_ct);
        var job = await db.Jobs.SingleAsync(j => j.Id == jobId, _ct);
        Assert.Equal((JobState.Succeeded, 3L, EmbeddingPrecisions.Fp32), (job.State, job.ListedImages, job.EmbeddingPrecision));
        var results = await db.Results.Where(r => r.JobId == jobId).OrderBy(r => r.ImageId).ToListAsync(_ct);
        Assert.Equal([0.25f, 0.5f], results.Select(r => r.Embedding!.Distinct().Single()));
        Assert.Equal(0.875f, results[0].Top1Probability);
        Assert.Equal(JsonDocument.Parse(TopK).RootElement.ToString(), JsonDocument.Parse(results[0].TopKJson!).RootElement.ToString());
        Assert.Equal("truncated", (await db.Errors.SingleAsync(e => e.JobId == jobId, _ct)).Kind);
        Assert.Equal(["a.jpg", "b.jpg", "bad.jpg"], await db.Images.Where(i => i.JobId == jobId).OrderBy(i => i.ImageId).Select(i => i.Path).ToListAsync(_ct));

        // The view: one row per image, results and the error.
        Assert.Equal("a.jpg:tench, Tinca tinca:|b.jpg:tench, Tinca tinca:|bad.jpg::truncated", await ScalarAsync(connectionString, $"""
            SELECT string_agg(path || ':' || coalesce(top1_label, '') || ':' || coalesce(error_kind, ''), '|' ORDER BY image_id)
            FROM dla.image_labels WHERE job_id = '{jobId}'
            """));

        // The job's HNSW index moved with its table, now reads job_id and embedding512, and still serves the search query.
        Assert.Equal("dla", await ScalarAsync(connectionString, $"SELECT schemaname FROM pg_indexes WHERE indexname = 'ix_results_embedding_{jobId:N}'"));
        var plan = await ScalarAsync(connectionString, $"""
            SET enable_seqscan = off; SET enable_sort = off;
            EXPLAIN SELECT image_id FROM results WHERE job_id = '{jobId}' AND embedding512 IS NOT NULL ORDER BY embedding512 <=> array_fill(0.5, ARRAY[512])::vector LIMIT 2
            """);
        Assert.Contains($"ix_results_embedding_{jobId:N}", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SQLite_renames_the_columns_and_keeps_every_row()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dla-snake-{Guid.NewGuid():N}.db");
        var connectionString = $"Data Source={path};Pooling=False";
        try
        {
            var jobId = Guid.NewGuid();
            await using (var old = Sqlite(connectionString))
            {
                await old.Database.MigrateAsync(SqliteBefore, _ct);
                var id = jobId.ToString().ToUpperInvariant();
                var rows = $"""
                    INSERT INTO jobs ("Id", "Dataset", "Model", "Seed", "Precision", "Tasks", "TopK", "BatchSize", "State", "ListedImages", "PlannedBatches", "ListingComplete", "CreatedAt")
                        VALUES ('{id}', '/data', 'dla34', 0, 'fp32', 3, 5, 32, 'Succeeded', 2, 1, 1, 0);
                    INSERT INTO images ("JobId", "ImageId", "Path", "BatchIndex") VALUES ('{id}', 0, 'a.jpg', 0), ('{id}', 1, 'bad.jpg', 0);
                    INSERT INTO image_errors ("JobId", "ImageId", "Kind", "Message", "CreatedAt") VALUES ('{id}', 1, 'truncated', 'bad.jpg is truncated', 0);
                    """;
                await old.Database.ExecuteSqlRawAsync(rows, _ct);
                await old.Database.ExecuteSqlRawAsync(
                    """INSERT INTO results ("JobId", "ImageId", "Top1Index", "Top1Label", "Top1Probability", "TopKJson", "CreatedAt") VALUES ({0}, 0, 7, 'tench', 0.875, {1}, 0)""",
                    [id, TopK], _ct);
            }
            await using var db = Sqlite(connectionString);
            await db.Database.MigrateAsync(_ct);

            Assert.Equal("tench", (await db.Results.SingleAsync(r => r.JobId == jobId, _ct)).Top1Label);
            Assert.Equal("truncated", (await db.Errors.SingleAsync(e => e.JobId == jobId, _ct)).Kind);
            var key = jobId.ToString().ToUpperInvariant();
            Assert.Equal(2, await db.Database.SqlQuery<int>($"""SELECT count(*) AS "Value" FROM image_labels WHERE job_id = {key}""").SingleAsync(_ct));
        }
        finally
        {
            SqliteFiles.Delete(path);
        }
    }

    private static SqliteDlaDbContext Sqlite(string connectionString) =>
        new(new DbContextOptionsBuilder<SqliteDlaDbContext>().UseSqlite(connectionString).Options);

    private async Task<string?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresDlaDbContext.WithSearchPath(connectionString));
        await connection.OpenAsync(_ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(_ct);
        var lines = new List<string>();
        do
        {
            while (await reader.ReadAsync(_ct))
            {
                lines.Add(reader.IsDBNull(0) ? "" : reader.GetValue(0).ToString()!);
            }
        }
        while (await reader.NextResultAsync(_ct));
        return string.Join("\n", lines);
    }

    private Task<string?> ExecuteAsync(string connectionString, string sql) => ScalarAsync(connectionString, sql);
}
