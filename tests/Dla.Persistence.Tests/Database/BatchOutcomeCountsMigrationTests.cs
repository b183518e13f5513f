using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Persistence.Results;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Persistence.Tests.Database;

/// <summary>
/// Migration <c>BatchOutcomeCounts</c> on a database with a job in progress: its batches' new counts are filled in from
/// the rows already stored (a result; an error and no result; an error beside a result, which is not a failure), so its
/// progress reads the same before and after the upgrade.
/// </summary>
public sealed class BatchOutcomeCountsMigrationTests
{
    private const string PostgresBefore = "20261203161137_SettledOutcomeCounts";
    private const string SqliteBefore = "20261203161217_SettledOutcomeCounts";

    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostgreSQL_fills_in_each_batchs_counts_from_its_rows()
    {
        await using var database = new PostgresTestDatabase { MigrateUpTo = PostgresBefore };
        var configuration = await database.ConfigurationAsync();
        await using var services = new ServiceCollection().AddDlaDatabase(configuration).BuildServiceProvider();
        await using var db = await services.GetRequiredService<IDlaDbContextFactory>().CreateAsync(_ct);
        var jobId = await StoreJobInProgressAsync(db);

        await db.Database.MigrateAsync(_ct);

        await AssertCountsAsync(db, jobId);
    }

    [Fact]
    public async Task SQLite_fills_in_each_batchs_counts_from_its_rows()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dla-counts-{Guid.NewGuid():N}.db");
        try
        {
            await using var db = new SqliteDlaDbContext(new DbContextOptionsBuilder<SqliteDlaDbContext>().UseSqlite($"Data Source={path};Pooling=False").Options);
            await db.Database.MigrateAsync(SqliteBefore, _ct);
            var jobId = await StoreJobInProgressAsync(db);

            await db.Database.MigrateAsync(_ct);

            await AssertCountsAsync(db, jobId);
        }
        finally
        {
            SqliteFiles.Delete(path);
        }
    }

    /// <summary>
    /// A running job of 6 images in batches 0 (images 0-2) and 1 (3-5): results for 0, 1, 3 and 4; errors for 2, 5
    /// and 4 (which has a result too). Batches go in by SQL, in the schema before the migration; the other tables are
    /// unchanged by it, so today's model writes them.
    /// </summary>
    private async Task<Guid> StoreJobInProgressAsync(DlaDbContext db)
    {
        var jobId = Guid.NewGuid();
        db.Jobs.Add(new Job { Id = jobId, Dataset = "/data", Model = "dla34", State = JobState.Running, CreatedAt = DateTimeOffset.UtcNow, ListedImages = 6, PlannedBatches = 2, ListingComplete = true });
        db.Images.AddRange(Enumerable.Range(0, 6).Select(i => new ManifestImage { JobId = jobId, ImageId = i, Path = $"{i}.jpg", BatchIndex = i / 3 }));
        var now = DateTimeOffset.UtcNow;
        db.Results.AddRange(new long[] { 0, 1, 3, 4 }.Select(i => new ImageResult { JobId = jobId, ImageId = i, Top1Index = 1, Top1Label = "a", Top1Probability = 0.5f, CreatedAt = now }));
        db.Errors.AddRange(new long[] { 2, 5, 4 }.Select(i => new ImageError { JobId = jobId, ImageId = i, Kind = "truncated", Message = "truncated", CreatedAt = now }));
        await db.SaveChangesAsync(_ct);
        var key = db.IsPostgres ? (object)jobId : SqliteDlaDbContext.ToText(jobId);
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO batches (job_id, batch_index, state, image_count, dispatches) VALUES ({0}, 0, 'Completed', 3, 1), ({0}, 1, 'Completed', 3, 1)", [key], _ct);
        db.ChangeTracker.Clear();
        return jobId;
    }

    private async Task AssertCountsAsync(DlaDbContext db, Guid jobId)
    {
        var counts = await db.Batches.AsNoTracking().Where(b => b.JobId == jobId).OrderBy(b => b.BatchIndex)
            .Select(b => new { b.SucceededImages, b.FailedImages }).ToListAsync(_ct);
        Assert.Equal([(2, 1), (2, 1)], counts.Select(c => (c.SucceededImages, c.FailedImages)));
        Assert.Equal((4L, 2L), await JobOutcomes.CountAsync(db, jobId, _ct));
    }
}
