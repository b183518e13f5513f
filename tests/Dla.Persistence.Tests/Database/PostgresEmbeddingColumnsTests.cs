using Dla.Persistence.Database;
using Dla.Persistence.Results;
using Dla.Persistence.Tests.Results;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dla.Persistence.Tests.Database;

/// <summary>
/// PostgreSQL keeps each embedding in the pgvector column sized to the model (256, 512, 1024) and
/// every other size in one unsized column; the database itself refuses a wrong size, and the migration
/// moves embeddings stored before the sized columns existed.
/// </summary>
public sealed class PostgresEmbeddingColumnsTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_sized_columns_are_pgvector_columns_of_the_model_sizes()
    {
        await using var database = new PostgresTestDatabase();
        var types = await ColumnTypesAsync(await database.ConnectionStringAsync());
        Assert.Equal("vector(256)", types["embedding256"]);
        Assert.Equal("vector(512)", types["embedding512"]);
        Assert.Equal("vector(1024)", types["embedding1024"]);
        Assert.Equal("vector", types[EmbeddingColumns.AnySize]);
        Assert.DoesNotContain("embedding", types.Keys);
    }

    [Theory]
    [InlineData(256, "embedding256")]
    [InlineData(512, "embedding512")]
    [InlineData(1024, "embedding1024")]
    [InlineData(64, EmbeddingColumns.AnySize)]
    [InlineData(2048, EmbeddingColumns.AnySize)]
    public async Task The_writer_stores_an_embedding_in_the_column_of_its_size_and_reads_it_back(int size, string column)
    {
        await using var database = new PostgresTestDatabase();
        var connectionString = await database.ConnectionStringAsync();
        await using var services = Services(connectionString);
        var jobId = await JobWithOneBatchAsync(services);
        var written = ResultWriterTests.Result(jobId, 0, size);

        Assert.True(await services.GetRequiredService<IResultWriter>().WriteAsync(ResultWriterTests.Outcome(jobId, [written], []), _ct));

        Assert.Equal([column], await FilledColumnsAsync(connectionString, jobId));
        await using var db = await services.GetRequiredService<IDlaDbContextFactory>().CreateAsync(_ct);
        var read = await db.Results.AsNoTracking().SingleAsync(r => r.JobId == jobId, _ct);
        Assert.Equal(written.Embedding, read.Embedding);
        Assert.Equal(written.Embedding, await db.Results.Where(r => r.JobId == jobId).Select(r => r.Embedding).SingleAsync(_ct));
    }

    [Fact]
    public async Task A_sized_column_refuses_an_embedding_of_another_size()
    {
        await using var database = new PostgresTestDatabase();
        var connectionString = await database.ConnectionStringAsync();
        await using var services = Services(connectionString);
        var jobId = await JobWithOneBatchAsync(services);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connectionString,
            $"""INSERT INTO results (job_id, image_id, embedding512, created_at) VALUES ('{jobId}', 0, array_fill(0.5, ARRAY[511])::vector, now())"""));

        Assert.Contains("expected 512 dimensions, not 511", refused.MessageText);
    }

    [Fact]
    public async Task A_batch_with_embeddings_of_two_sizes_is_refused_and_stores_nothing()
    {
        await using var database = new PostgresTestDatabase();
        var connectionString = await database.ConnectionStringAsync();
        await using var services = Services(connectionString);
        var jobId = await JobWithOneBatchAsync(services);
        var mixed = ResultWriterTests.Outcome(jobId, [ResultWriterTests.Result(jobId, 0, 256), ResultWriterTests.Result(jobId, 1, 512)], []);

        await Assert.ThrowsAsync<ArgumentException>(() => services.GetRequiredService<IResultWriter>().WriteAsync(mixed, _ct));

        Assert.Empty(await FilledColumnsAsync(connectionString, jobId));
    }

    [Fact]
    public async Task Migrating_moves_embeddings_stored_in_the_old_unsized_column_to_their_sized_columns()
    {
        await using var database = new PostgresTestDatabase { MigrateUpTo = "20261125213630_EmbeddingStoredInline" };
        var connectionString = await database.ConnectionStringAsync();
        // The schema of that migration, so raw SQL rather than today's model; a batch dispatched under the old leases.
        var jobId = Guid.NewGuid();
        await ExecuteAsync(connectionString, $"""
            INSERT INTO jobs ("Id", "Dataset", "Model", "Seed", "Precision", "Tasks", "TopK", "BatchSize", "State", "ListedImages", "PlannedBatches", "ListingComplete", "CreatedAt")
                VALUES ('{jobId}', '/data', 'dla34', 0, 'fp32', 3, 5, 32, 'Running', 4, 1, true, now());
            INSERT INTO batches ("JobId", "BatchIndex", "State", "ImageCount", "Dispatches", "DispatchedAt", "LeaseUntil")
                VALUES ('{jobId}', 0, 'Dispatched', 4, 1, now(), now() + interval '10 minutes');
            """);
        await ExecuteAsync(connectionString, $"""
            INSERT INTO results ("JobId", "ImageId", "Embedding", "CreatedAt") VALUES
                ('{jobId}', 0, array_fill(0.25, ARRAY[256])::vector, now()),
                ('{jobId}', 1, array_fill(0.5, ARRAY[512])::vector, now()),
                ('{jobId}', 2, array_fill(0.75, ARRAY[1024])::vector, now()),
                ('{jobId}', 3, '[1,2,3]', now());
            CREATE INDEX "ix_results_embedding_{jobId:N}" ON results USING hnsw (("Embedding"::vector(512)) vector_cosine_ops) WHERE "JobId" = '{jobId}' AND "ImageId" = 1;
            """);

        await using (var context = new PostgresDlaDbContext(new DbContextOptionsBuilder<PostgresDlaDbContext>().UseNpgsql(connectionString, PostgresDlaDbContext.Configure).Options))
        {
            await context.Database.MigrateAsync(_ct);
        }

        await using var services = Services(connectionString);
        await using var db = await services.GetRequiredService<IDlaDbContextFactory>().CreateAsync(_ct);
        var embeddings = await db.Results.Where(r => r.JobId == jobId).OrderBy(r => r.ImageId).Select(r => r.Embedding).ToListAsync(_ct);
        Assert.Equal([Enumerable.Repeat(0.25f, 256), Enumerable.Repeat(0.5f, 512), Enumerable.Repeat(0.75f, 1024), [1f, 2f, 3f]], embeddings.Select(e => e!.AsEnumerable()));
        Assert.Equal(["embedding256", "embedding512", "embedding1024", EmbeddingColumns.AnySize], await FilledColumnsAsync(connectionString, jobId));
        Assert.Equal("0", await ScalarAsync(connectionString, "SELECT count(*)::text FROM pg_indexes WHERE indexname LIKE 'ix_results_embedding_%'"));
        // Leases by heartbeat: a dispatched batch is queued (no lease while it waits); an existing job gets the default priority.
        var batch = await db.Batches.SingleAsync(b => b.JobId == jobId, _ct);
        Assert.Equal((Persistence.Jobs.BatchState.Queued, 1, (DateTimeOffset?)null), (batch.State, batch.Dispatches, batch.LeaseUntil));
        Assert.Equal(Persistence.Jobs.JobPriority.Default, (await db.Jobs.SingleAsync(j => j.Id == jobId, _ct)).Priority);
    }

    private static ServiceProvider Services(string connectionString)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "postgres",
            ["ConnectionStrings:Postgres"] = connectionString,
        }).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddDlaDatabase(configuration).AddDlaResultWriter(configuration).BuildServiceProvider();
    }

    private async Task<Guid> JobWithOneBatchAsync(ServiceProvider services)
    {
        var jobId = Guid.NewGuid();
        await using var db = await services.GetRequiredService<IDlaDbContextFactory>().CreateAsync(_ct);
        db.Jobs.Add(new Persistence.Jobs.Job { Id = jobId, Dataset = "/data", Model = "dla34", CreatedAt = DateTimeOffset.UtcNow });
        db.Batches.Add(new Persistence.Jobs.Batch { JobId = jobId, BatchIndex = 0, State = Persistence.Jobs.BatchState.Queued, ImageCount = 2 });
        await db.SaveChangesAsync(_ct);
        return jobId;
    }

    /// <summary>For each result row in image order, the embedding column that is not null.</summary>
    private async Task<List<string>> FilledColumnsAsync(string connectionString, Guid jobId)
    {
        var cases = string.Join(" ", EmbeddingColumns.All.Select(c => $"""WHEN "{c}" IS NOT NULL THEN '{c}'"""));
        await using var connection = new NpgsqlConnection(PostgresDlaDbContext.WithSearchPath(connectionString));
        await connection.OpenAsync(_ct);
        await using var command = new NpgsqlCommand($"""SELECT CASE {cases} END FROM results WHERE job_id = '{jobId}' ORDER BY image_id """, connection);
        await using var reader = await command.ExecuteReaderAsync(_ct);
        var columns = new List<string>();
        while (await reader.ReadAsync(_ct))
        {
            columns.Add(reader.GetString(0));
        }
        return columns;
    }

    private async Task<Dictionary<string, string>> ColumnTypesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(PostgresDlaDbContext.WithSearchPath(connectionString));
        await connection.OpenAsync(_ct);
        await using var command = new NpgsqlCommand("""
            SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = 'dla.results'::regclass AND attnum > 0 AND NOT attisdropped AND attname LIKE 'embedding%'
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(_ct);
        var types = new Dictionary<string, string>();
        while (await reader.ReadAsync(_ct))
        {
            types[reader.GetString(0)] = reader.GetString(1);
        }
        return types;
    }

    private async Task<string?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresDlaDbContext.WithSearchPath(connectionString));
        await connection.OpenAsync(_ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (string?)await command.ExecuteScalarAsync(_ct);
    }

    private Task<string?> ExecuteAsync(string connectionString, string sql) => ScalarAsync(connectionString, sql);
}
