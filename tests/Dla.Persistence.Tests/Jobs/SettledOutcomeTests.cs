using Dla.Persistence.Jobs;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using static Dla.Persistence.Tests.Results.ResultWriterTests;

namespace Dla.Persistence.Tests.Jobs;

/// <summary>
/// A job that reaches a final state keeps its outcome counts on its row (<see cref="JobOutcomes"/>): equal to a live
/// count, unchanged by late writes (the writers' fence refuses a finished job), cleared when the job is resumed.
/// Run against each provider by the subclasses.
/// </summary>
public abstract class SettledOutcomeTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    /// <summary>Configuration selecting the provider and its database (an empty, migrated one).</summary>
    protected abstract Task<IConfiguration> ConfigurationAsync();

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Cancelled)]
    public async Task A_finished_job_keeps_its_exact_counts_and_a_late_write_changes_nothing(JobState final)
    {
        await using var store = await OpenAsync(batches: 3);
        // Image 3 fails, then succeeds on a later delivery: one result, no failure.
        Assert.True(await store.Writer.WriteAsync(Outcome(store.JobId, [Result(store.JobId, 0), Result(store.JobId, 1)], [Error(store.JobId, 2, "truncated"), Error(store.JobId, 3, "read_failed")]), _ct));
        Assert.True(await store.Writer.WriteAsync(Outcome(store.JobId, [Result(store.JobId, 3)], [Error(store.JobId, 4, "unreadable")], batchIndex: 1), _ct));

        await FinishAsync(store, final);

        await using (var db = await store.ContextAsync())
        {
            var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == store.JobId, _ct);
            Assert.Equal((3L, 2L), (job.SettledSucceeded, job.SettledFailed));
            Assert.Equal((3L, 2L), await JobOutcomes.CountAsync(db, store.JobId, _ct));
            Assert.Equal((3L, 2L), await JobOutcomes.ReadAsync(db, job, _ct));
        }
        // A late copy of a batch, with a result for a failed image and a new one: refused, so the counts stay exact.
        Assert.False(await store.Writer.WriteAsync(Outcome(store.JobId, [Result(store.JobId, 2), Result(store.JobId, 5)], [], batchIndex: 2), _ct));
        await using (var db = await store.ContextAsync())
        {
            Assert.Equal((3L, 2L), await JobOutcomes.CountAsync(db, store.JobId, _ct));
        }
    }

    [Fact]
    public async Task A_finished_jobs_progress_reads_the_settled_counts_without_counting()
    {
        await using var store = await OpenAsync(batches: 1);
        Assert.True(await store.Writer.WriteAsync(Outcome(store.JobId, [Result(store.JobId, 0)], []), _ct));
        await FinishAsync(store, JobState.Succeeded);
        await using var db = await store.ContextAsync();
        // Counts that differ from the rows show which one was read.
        await db.Jobs.Where(j => j.Id == store.JobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.SettledSucceeded, 1_000_000L).SetProperty(j => j.SettledFailed, 7L), _ct);
        var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == store.JobId, _ct);

        Assert.Equal((1_000_000L, 7L), await JobOutcomes.ReadAsync(db, job, _ct));
        job.State = JobState.Running;
        Assert.Equal((1L, 0L), await JobOutcomes.ReadAsync(db, job, _ct));
    }

    [Fact]
    public async Task A_resumed_job_counts_live_again_and_settles_anew_when_it_finishes_again()
    {
        await using var store = await OpenAsync(batches: 2);
        Assert.True(await store.Writer.WriteAsync(Outcome(store.JobId, [Result(store.JobId, 0)], [Error(store.JobId, 1, "read_failed")]), _ct));
        await FinishAsync(store, JobState.Failed);

        await using (var db = await store.ContextAsync())
        {
            Assert.True(await JobTransitions.ResumeAsync(db, store.JobId, _ct));
            var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == store.JobId, _ct);
            Assert.Equal((JobState.Running, null, null), (job.State, job.SettledSucceeded, job.SettledFailed));
        }
        Assert.True(await store.Writer.WriteAsync(Outcome(store.JobId, [Result(store.JobId, 1), Result(store.JobId, 2)], [], batchIndex: 1), _ct));
        await using (var db = await store.ContextAsync())
        {
            var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == store.JobId, _ct);
            Assert.Equal((3L, 0L), await JobOutcomes.ReadAsync(db, job, _ct));
        }
        await FinishAsync(store, JobState.Succeeded);
        await using (var db = await store.ContextAsync())
        {
            var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == store.JobId, _ct);
            Assert.Equal((3L, 0L), (job.SettledSucceeded, job.SettledFailed));
        }
    }

    [Fact]
    public async Task Counts_settled_while_batches_are_being_written_equal_what_was_stored()
    {
        const int batches = 2000, perBatch = 10, writers = 4;
        await using var store = await OpenAsync(batches);
        // Four writers store batch after batch until the fence refuses them; the job is cancelled once a few batches
        // are in, so writes are in flight on both sides of the cancellation. Whichever got in, the settled counts are
        // exactly the rows stored, and nothing is stored after.
        var next = -1;
        var stored = 0;
        var someStored = new TaskCompletionSource();
        var loops = Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var b = Interlocked.Increment(ref next); b < batches; b = Interlocked.Increment(ref next))
            {
                var ids = Enumerable.Range(b * perBatch, perBatch).Select(i => (long)i).ToArray();
                if (!await store.Writer.WriteAsync(Outcome(store.JobId, [.. ids.Skip(1).Select(i => Result(store.JobId, i))], [Error(store.JobId, ids[0], "truncated")], batchIndex: b), _ct))
                {
                    return;
                }
                if (Interlocked.Increment(ref stored) == 8)
                {
                    someStored.SetResult();
                }
            }
        }, _ct)).ToList();
        await someStored.Task.WaitAsync(_ct);
        await FinishAsync(store, JobState.Cancelled);
        await Task.WhenAll(loops);
        TestContext.Current.TestOutputHelper?.WriteLine($"{stored} of {batches} batches were stored before the cancellation");

        Assert.InRange(stored, 8, batches - 1);
        await using var db = await store.ContextAsync();
        var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == store.JobId, _ct);
        Assert.Equal((stored * (perBatch - 1L), (long)stored), (job.SettledSucceeded!.Value, job.SettledFailed!.Value));
        Assert.Equal((job.SettledSucceeded.Value, job.SettledFailed.Value), await JobOutcomes.CountAsync(db, store.JobId, _ct));
    }

    private async Task FinishAsync(JobStore store, JobState final)
    {
        await using var db = await store.ContextAsync();
        var now = DateTimeOffset.UtcNow;
        var changed = final == JobState.Cancelled
            ? await JobTransitions.CancelAsync(db, store.JobId, now, _ct)
            : await JobTransitions.FinishAsync(db, store.JobId, final, final == JobState.Failed ? "a test" : null, now, _ct);
        Assert.True(changed);
    }

    private async Task<JobStore> OpenAsync(int batches) => await JobStore.OpenAsync(await ConfigurationAsync(), batches, _ct);
}

/// <summary>On PostgreSQL, where the writers' shared lock and the transition's update serialise.</summary>
public sealed class PostgresSettledOutcomeTests(PostgresTestDatabase database) : SettledOutcomeTests, IClassFixture<PostgresTestDatabase>
{
    protected override Task<IConfiguration> ConfigurationAsync() => database.ConfigurationAsync();
}

/// <summary>On SQLite, which serialises every write.</summary>
public sealed class SqliteSettledOutcomeTests : SettledOutcomeTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<IConfiguration> ConfigurationAsync() => _database.ConfigurationAsync();

    public void Dispose() => _database.Dispose();
}
