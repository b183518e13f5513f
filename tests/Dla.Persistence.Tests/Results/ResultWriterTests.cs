using Dla.Testing;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Persistence.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Persistence.Tests.Results;

/// <summary>The <see cref="IResultWriter"/> contract, run against each provider by the subclasses.</summary>
public abstract class ResultWriterTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    /// <summary>Configuration selecting the provider and its database (an empty, migrated one).</summary>
    protected abstract Task<IConfiguration> ConfigurationAsync();

    [Fact]
    public async Task Writing_a_batch_twice_stores_each_image_once()
    {
        await using var store = await OpenAsync();
        var outcome = Outcome(store.JobId, [Result(store.JobId, 0), Result(store.JobId, 1)], [Error(store.JobId, 2, "truncated")]);
        await store.Writer.WriteAsync(outcome, _ct);
        await store.Writer.WriteAsync(outcome, _ct);
        await using var db = await store.ContextAsync();
        Assert.Equal([0L, 1L], await db.Results.Where(r => r.JobId == store.JobId).Select(r => r.ImageId).OrderBy(i => i).ToListAsync(_ct));
        Assert.Equal([2L], await db.Errors.Where(e => e.JobId == store.JobId).Select(e => e.ImageId).ToListAsync(_ct));
    }

    [Fact]
    public async Task Two_deliveries_of_a_batch_written_at_once_store_each_image_once()
    {
        await using var store = await OpenAsync();
        var outcome = Outcome(store.JobId, [.. Enumerable.Range(0, 200).Select(i => Result(store.JobId, i, 512))], [Error(store.JobId, 200, "truncated")]);

        var stored = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => store.Writer.WriteAsync(outcome, _ct), _ct)));

        Assert.All(stored, Assert.True);
        await using var db = await store.ContextAsync();
        Assert.Equal(200, await db.Results.CountAsync(r => r.JobId == store.JobId, _ct));
        Assert.Equal([200L], await db.Errors.Where(e => e.JobId == store.JobId).Select(e => e.ImageId).ToListAsync(_ct));
    }

    [Fact]
    public async Task An_image_that_failed_then_succeeds_has_a_result_and_no_error()
    {
        await using var store = await OpenAsync();
        await store.Writer.WriteAsync(Outcome(store.JobId, [Result(store.JobId, 0)], [Error(store.JobId, 1, "read_failed")]), _ct);
        await store.Writer.WriteAsync(Outcome(store.JobId, [Result(store.JobId, 0), Result(store.JobId, 1)], []), _ct);
        await using var db = await store.ContextAsync();
        Assert.Equal(2, await db.Results.CountAsync(r => r.JobId == store.JobId, _ct));
        Assert.Equal(0, await db.Errors.CountAsync(e => e.JobId == store.JobId, _ct));
    }

    [Fact]
    public async Task An_error_never_overwrites_a_result()
    {
        await using var store = await OpenAsync();
        await store.Writer.WriteAsync(Outcome(store.JobId, [Result(store.JobId, 0)], []), _ct);
        await store.Writer.WriteAsync(Outcome(store.JobId, [], [Error(store.JobId, 0, "read_failed")]), _ct);
        await using var db = await store.ContextAsync();
        var result = await db.Results.SingleAsync(r => r.JobId == store.JobId, _ct);
        Assert.Equal(7, result.Top1Index);
        Assert.Equal(0, await db.Errors.CountAsync(e => e.JobId == store.JobId, _ct));
    }

    [Fact]
    public async Task Results_and_embeddings_round_trip_exactly()
    {
        await using var store = await OpenAsync();
        var expected = Result(store.JobId, 0, 512);
        expected.Embedding![3] = float.Epsilon;
        expected.Embedding[4] = -0f;
        expected.Embedding[5] = 1.23456789e-30f;
        var labelsOnly = Result(store.JobId, 1, 0);
        await store.Writer.WriteAsync(Outcome(store.JobId, [expected, labelsOnly], []), _ct);
        await using var db = await store.ContextAsync();
        var stored = await db.Results.Where(r => r.JobId == store.JobId).OrderBy(r => r.ImageId).ToListAsync(_ct);
        Assert.Equal(expected.Embedding.Select(BitConverter.SingleToInt32Bits), stored[0].Embedding!.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal((expected.Top1Index, expected.Top1Label, expected.Top1Probability), (stored[0].Top1Index, stored[0].Top1Label, stored[0].Top1Probability));
        // The same JSON document (PostgreSQL's jsonb normalises the spacing).
        Assert.Equal(System.Text.Json.Nodes.JsonNode.Parse(expected.TopKJson!)!.ToJsonString(), System.Text.Json.Nodes.JsonNode.Parse(stored[0].TopKJson!)!.ToJsonString());
        Assert.Null(stored[1].Embedding);
        Assert.InRange(stored[0].CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_fp16_job_keeps_embeddings_at_half_precision_and_gives_them_back_as_float32(bool redelivered)
    {
        await using var store = await OpenAsync(EmbeddingPrecisions.Fp16);
        var written = Result(store.JobId, 0, 512);
        var expected = (float[])written.Embedding!.Clone();
        HalfVectors.Round(expected);
        Assert.NotEqual(written.Embedding, expected);
        if (redelivered)
        {
            // The second delivery goes through staging and the upsert (float32 staging, cast to halfvec).
            await store.Writer.WriteAsync(Outcome(store.JobId, [Result(store.JobId, 0, 512)], []), _ct);
        }
        await store.Writer.WriteAsync(Outcome(store.JobId, [written], []), _ct);

        await using var db = await store.ContextAsync();
        var stored = await db.Results.SingleAsync(r => r.JobId == store.JobId, _ct);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), stored.Embedding!.Select(BitConverter.SingleToInt32Bits));
        // float16 keeps 11 significant bits: every value within 2⁻¹¹ of itself, relatively.
        Assert.All(written.Embedding.Zip(stored.Embedding!), p => Assert.InRange(MathF.Abs(p.First - p.Second), 0, MathF.Abs(p.First) / 2048 + 1e-7f));
        Assert.Equal(written.Top1Label, stored.Top1Label);
        await AssertStoredAtHalfPrecisionAsync(db, store.JobId);
    }

    /// <summary>Provider-specific: where the fp16 job's embedding landed.</summary>
    protected virtual Task AssertStoredAtHalfPrecisionAsync(DlaDbContext db, Guid jobId) => Task.CompletedTask;

    [Fact]
    public async Task The_batch_is_marked_completed_once()
    {
        await using var store = await OpenAsync();
        var outcome = Outcome(store.JobId, [Result(store.JobId, 0)], []);
        await store.Writer.WriteAsync(outcome, _ct);
        await using (var db = await store.ContextAsync())
        {
            var batch = await db.Batches.SingleAsync(b => b.JobId == store.JobId, _ct);
            Assert.Equal(BatchState.Completed, batch.State);
            Assert.NotNull(batch.CompletedAt);
            store.FirstCompletion = batch.CompletedAt;
        }
        await Task.Delay(20, _ct);
        await store.Writer.WriteAsync(outcome, _ct);
        await using (var db = await store.ContextAsync())
        {
            Assert.Equal(store.FirstCompletion, (await db.Batches.SingleAsync(b => b.JobId == store.JobId, _ct)).CompletedAt);
        }
    }

    [Theory]
    [InlineData(JobState.Cancelled)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Deleting)]
    public async Task Nothing_is_stored_once_the_job_has_ended(JobState ended)
    {
        await using var store = await OpenAsync();
        Assert.True(await store.Writer.WriteAsync(Outcome(store.JobId, [Result(store.JobId, 0)], []), _ct));
        await using (var db = await store.ContextAsync())
        {
            await db.Jobs.Where(j => j.Id == store.JobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.State, ended), _ct);
        }
        var late = Outcome(store.JobId, [Result(store.JobId, 1)], [Error(store.JobId, 2, "truncated")]);
        Assert.False(await store.Writer.WriteAsync(late, _ct));
        await using (var db = await store.ContextAsync())
        {
            Assert.Equal([0L], await db.Results.Where(r => r.JobId == store.JobId).Select(r => r.ImageId).ToListAsync(_ct));
            Assert.Equal(0, await db.Errors.CountAsync(e => e.JobId == store.JobId, _ct));
        }
    }

    [Fact]
    public async Task A_write_for_an_unknown_job_stores_nothing()
    {
        await using var store = await OpenAsync();
        var unknown = Guid.NewGuid();
        Assert.False(await store.Writer.WriteAsync(Outcome(unknown, [Result(unknown, 0)], []), _ct));
    }

    internal static BatchOutcome Outcome(Guid jobId, ImageResult[] results, ImageError[] errors, int batchIndex = 0) => new(jobId, batchIndex, results, errors);

    internal static ImageResult Result(Guid jobId, long imageId, int embeddingDim = 4) => new()
    {
        JobId = jobId,
        ImageId = imageId,
        Top1Index = 7,
        Top1Label = "tench, Tinca tinca",
        Top1Probability = 0.875f,
        TopKJson = """[{"index":7,"label":"tench, Tinca tinca","probability":0.875}]""",
        Embedding = embeddingDim == 0 ? null : Enumerable.Range(0, embeddingDim).Select(i => MathF.Sin(i + imageId) * 3.7f).ToArray(),
    };

    internal static ImageError Error(Guid jobId, long imageId, string kind) => new() { JobId = jobId, ImageId = imageId, Kind = kind, Message = $"image {imageId} is {kind}" };

    private async Task<Store> OpenAsync(string embeddingPrecision = EmbeddingPrecisions.Fp32)
    {
        var configuration = await ConfigurationAsync();
        var services = new ServiceCollection().AddSingleton(configuration).AddDlaDatabase(configuration).AddDlaResultWriter(configuration).BuildServiceProvider();
        var store = new Store(services);
        await using var db = await store.ContextAsync();
        db.Jobs.Add(new Job { Id = store.JobId, Dataset = "/data", Model = "dla34", CreatedAt = DateTimeOffset.UtcNow, EmbeddingPrecision = embeddingPrecision });
        db.Batches.Add(new Batch { JobId = store.JobId, BatchIndex = 0, State = BatchState.Queued, ImageCount = 3 });
        await db.SaveChangesAsync(_ct);
        return store;
    }

    /// <summary>A job with one dispatched batch, the writer under test, and contexts to read back with.</summary>
    private sealed class Store(ServiceProvider services) : IAsyncDisposable
    {
        public Guid JobId { get; } = Guid.NewGuid();

        public IResultWriter Writer { get; } = services.GetRequiredService<IResultWriter>();

        public DateTimeOffset? FirstCompletion { get; set; }

        public Task<DlaDbContext> ContextAsync() => services.GetRequiredService<IDlaDbContextFactory>().CreateAsync();

        public ValueTask DisposeAsync() => services.DisposeAsync();
    }
}

/// <summary>The writer contract on PostgreSQL (binary COPY into staging, set-based upserts).</summary>
public sealed class PostgresResultWriterTests(PostgresTestDatabase database) : ResultWriterTests, IClassFixture<PostgresTestDatabase>
{
    protected override Task<IConfiguration> ConfigurationAsync() => database.ConfigurationAsync();

    /// <summary>In the halfvec column (2 bytes a value plus pgvector's 8-byte header), not in the float32 one of its size.</summary>
    protected override async Task AssertStoredAtHalfPrecisionAsync(DlaDbContext db, Guid jobId)
    {
        var sizes = await db.Database.SqlQueryRaw<int>(
            $$"""SELECT pg_column_size("{{EmbeddingColumns.Half}}") AS "Value" FROM results WHERE job_id = {0} AND embedding512 IS NULL""", jobId)
            .ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([8 + 512 * 2], sizes);
    }
}

/// <summary>The writer contract on SQLite (a temporary file per test).</summary>
public sealed class SqliteResultWriterTests : ResultWriterTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<IConfiguration> ConfigurationAsync() => _database.ConfigurationAsync();

    public void Dispose() => _database.Dispose();
}
