using Dla.Persistence.Jobs;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using static Dla.Persistence.Tests.Results.ResultWriterTests;

namespace Dla.Persistence.Tests.Jobs;

/// <summary>
/// Each batch's outcome counts (<see cref="BatchOutcomeCounts"/>), kept by the result writers, equal what its rows say
/// (images with a result; with an error and no result) through redeliveries, errors that later succeed, late copies of
/// images that moved to another batch, and writers of one batch racing; a job's counts are their sums. Run against each
/// provider by the subclasses.
/// </summary>
public abstract class BatchOutcomeCountsTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    /// <summary>Configuration selecting the provider and its database (an empty, migrated one).</summary>
    protected abstract Task<IConfiguration> ConfigurationAsync();

    [Fact]
    public async Task Each_batch_counts_what_its_rows_say_through_redeliveries_and_errors_that_later_succeed()
    {
        await using var store = await JobStore.OpenAsync(await ConfigurationAsync(), batches: 3, _ct);
        var job = store.JobId;
        // Batch 0: seven results and three errors; its redelivery turns one error into a result and repeats another.
        Assert.True(await store.Writer.WriteAsync(Outcome(job, [.. Enumerable.Range(0, 7).Select(i => Result(job, i))],
            [Error(job, 7, "truncated"), Error(job, 8, "read_failed"), Error(job, 9, "read_failed")]), _ct));
        Assert.Equal([(7, 3), (0, 0), (0, 0)], await CountsAsync(store));
        Assert.True(await store.Writer.WriteAsync(Outcome(job, [Result(job, 8)], [Error(job, 7, "truncated")]), _ct));
        Assert.Equal([(8, 2), (0, 0), (0, 0)], await CountsAsync(store));
        // Batch 1 in full; then a late copy of batch 0 whose error for an image with a result is not stored.
        Assert.True(await store.Writer.WriteAsync(Outcome(job, [.. Enumerable.Range(10, 10).Select(i => Result(job, i))], [], batchIndex: 1), _ct));
        Assert.True(await store.Writer.WriteAsync(Outcome(job, [], [Error(job, 0, "timeout")]), _ct));

        Assert.Equal([(8, 2), (10, 0), (0, 0)], await CountsAsync(store));
        Assert.Equal(await RowCountsAsync(store), await CountsAsync(store));
        await using var db = await store.ContextAsync();
        Assert.Equal((18L, 2L), await JobOutcomes.CountAsync(db, job, _ct));
        Assert.Equal(2L, await JobOutcomes.CountFailedAsync(db, job, _ct));
    }

    [Fact]
    public async Task A_late_copy_of_images_moved_to_another_batch_recounts_the_batch_that_holds_them_now()
    {
        await using var store = await JobStore.OpenAsync(await ConfigurationAsync(), batches: 2, _ct);
        var job = store.JobId;
        Assert.True(await store.Writer.WriteAsync(Outcome(job, [.. Enumerable.Range(0, 8).Select(i => Result(job, i))],
            [Error(job, 8, "read_failed"), Error(job, 9, "read_failed")]), _ct));
        // As "retry failed" does: images 8 and 9 move to batch 1 (a new one) with their errors gone, batch 0 recounted.
        await using (var db = await store.ContextAsync())
        {
            await db.Images.Where(i => i.JobId == job && i.ImageId >= 8 && i.ImageId < 10).ExecuteUpdateAsync(s => s.SetProperty(i => i.BatchIndex, 1), _ct);
            await db.Errors.Where(e => e.JobId == job).ExecuteDeleteAsync(_ct);
            await BatchOutcomeCounts.RecountAsync(db, job, [0], _ct);
        }
        Assert.Equal([(8, 0), (0, 0)], await CountsAsync(store));
        // A copy of batch 0 still in flight stores a result for image 8: it counts in batch 1, where the image is now.
        Assert.True(await store.Writer.WriteAsync(Outcome(job, [Result(job, 8)], []), _ct));

        Assert.Equal([(8, 0), (1, 0)], await CountsAsync(store));
        Assert.Equal(await RowCountsAsync(store), await CountsAsync(store));
    }

    [Fact]
    public async Task Writers_racing_on_one_batch_leave_its_counts_equal_to_its_rows()
    {
        const int batches = 40;
        await using var store = await JobStore.OpenAsync(await ConfigurationAsync(), batches, _ct);
        var job = store.JobId;
        // Per batch, an empty outcome completes it first; then two copies at once, one with results for every image, the
        // other with errors. They touch no common row until the recount (the batch is completed already, so neither
        // changes its state), and only the recount's lock orders them. Whichever commits first, the batch ends with ten
        // results and no failure (an error beside a result is not a failure); a recount whose snapshot missed the other
        // copy's commit would leave ten failures and no result.
        for (var b = 0; b < batches; b++)
        {
            var images = Enumerable.Range(b * JobStore.ImagesPerBatch, JobStore.ImagesPerBatch).Select(i => (long)i).ToList();
            Assert.True(await store.Writer.WriteAsync(Outcome(job, [], [], batchIndex: b), _ct));
            var succeeding = Task.Run(() => store.Writer.WriteAsync(Outcome(job, [.. images.Select(i => Result(job, i))], [], batchIndex: b), _ct), _ct);
            var failing = Task.Run(() => store.Writer.WriteAsync(Outcome(job, [], [.. images.Select(i => Error(job, i, "read_failed"))], batchIndex: b), _ct), _ct);
            var stored = await Task.WhenAll(succeeding, failing);
            Assert.Equal([true, true], stored);
        }

        Assert.Equal(Enumerable.Repeat((10, 0), batches), await CountsAsync(store));
        Assert.Equal(await RowCountsAsync(store), await CountsAsync(store));
    }

    /// <summary>Each batch's stored counts, in batch order.</summary>
    private async Task<List<(int, int)>> CountsAsync(JobStore store)
    {
        await using var db = await store.ContextAsync();
        return (await db.Batches.AsNoTracking().Where(b => b.JobId == store.JobId).OrderBy(b => b.BatchIndex)
            .Select(b => new { b.SucceededImages, b.FailedImages }).ToListAsync(_ct)).Select(b => (b.SucceededImages, b.FailedImages)).ToList();
    }

    /// <summary>Each batch's counts from its rows, by the definition the counts keep.</summary>
    private async Task<List<(int, int)>> RowCountsAsync(JobStore store)
    {
        await using var db = await store.ContextAsync();
        var job = store.JobId;
        var counts = await db.Batches.AsNoTracking().Where(b => b.JobId == job).OrderBy(b => b.BatchIndex).Select(b => new
        {
            Succeeded = db.Images.Count(i => i.JobId == job && i.BatchIndex == b.BatchIndex && db.Results.Any(r => r.JobId == job && r.ImageId == i.ImageId)),
            Failed = db.Images.Count(i => i.JobId == job && i.BatchIndex == b.BatchIndex && db.Errors.Any(e => e.JobId == job && e.ImageId == i.ImageId)
                                          && !db.Results.Any(r => r.JobId == job && r.ImageId == i.ImageId)),
        }).ToListAsync(_ct);
        return counts.Select(c => (c.Succeeded, c.Failed)).ToList();
    }
}

/// <summary>On PostgreSQL, where a writer locks the batches it recounts.</summary>
public sealed class PostgresBatchOutcomeCountsTests(PostgresTestDatabase database) : BatchOutcomeCountsTests, IClassFixture<PostgresTestDatabase>
{
    protected override Task<IConfiguration> ConfigurationAsync() => database.ConfigurationAsync();
}

/// <summary>On SQLite, which serialises every write.</summary>
public sealed class SqliteBatchOutcomeCountsTests : BatchOutcomeCountsTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<IConfiguration> ConfigurationAsync() => _database.ConfigurationAsync();

    public void Dispose() => _database.Dispose();
}
