using Dla.Persistence.Jobs;
using Dla.Worker.Batches;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Worker.Tests.Batches;

/// <summary>A worker's start of a batch and its heartbeats, on the embedded mode's database.</summary>
public sealed class BatchLeasesTests(SqliteWorkerHost host) : IClassFixture<SqliteWorkerHost>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Starting_records_the_worker_and_heartbeats_move_the_lease_on_until_the_batch_ends()
    {
        await using var worker = await host.StartWorkerAsync();
        var leases = worker.Services.GetRequiredService<BatchLeases>();
        var message = await host.SeedJobAsync() with { LeaseSeconds = 3 };

        var before = DateTimeOffset.UtcNow;
        var lease = await leases.StartAsync(message, _ct);
        Assert.NotNull(lease);
        var started = await BatchAsync(message.JobId);
        Assert.Equal((BatchState.Started, BatchLeases.WorkerName), (started.State, started.Worker));
        // SQLite keeps timestamps to 0.1 ms (EF's binary DateTimeOffset), so the stored lease may read up to that much early.
        Assert.InRange(started.LeaseUntil!.Value, before.AddSeconds(3).AddMilliseconds(-1), DateTimeOffset.UtcNow.AddSeconds(3));

        // A heartbeat every second (a third of the lease) moves the lease on.
        var renewed = await Eventually(async () => (await BatchAsync(message.JobId)).LeaseUntil!.Value, until => until > started.LeaseUntil.Value);
        await lease!.DisposeAsync();
        var last = (await BatchAsync(message.JobId)).LeaseUntil;
        await Task.Delay(TimeSpan.FromSeconds(2.5), _ct);
        Assert.Equal(last, (await BatchAsync(message.JobId)).LeaseUntil);
        Assert.True(renewed >= started.LeaseUntil.Value.AddSeconds(0.5));
    }

    [Fact]
    public async Task A_batch_that_is_not_open_or_a_stale_dispatch_is_not_started()
    {
        await using var worker = await host.StartWorkerAsync();
        var leases = worker.Services.GetRequiredService<BatchLeases>();
        var message = await host.SeedJobAsync();

        Assert.Null(await leases.StartAsync(message with { Dispatch = 0 }, _ct));
        await using (var db = await host.ContextAsync())
        {
            await db.Batches.Where(b => b.JobId == message.JobId).ExecuteUpdateAsync(s => s.SetProperty(b => b.State, BatchState.Completed), _ct);
        }
        Assert.Null(await leases.StartAsync(message, _ct));
        Assert.Equal(BatchState.Completed, (await BatchAsync(message.JobId)).State);
    }

    [Fact]
    public async Task A_dispatch_that_arrives_before_the_scheduler_recorded_it_is_started_and_recorded()
    {
        await using var worker = await host.StartWorkerAsync();
        var leases = worker.Services.GetRequiredService<BatchLeases>();
        var message = await host.SeedJobAsync();
        // The scheduler published dispatch 1 and has not yet recorded it: the batch still shows planned, 0 dispatches.
        await using (var db = await host.ContextAsync())
        {
            await db.Batches.Where(b => b.JobId == message.JobId)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.State, BatchState.Planned).SetProperty(b => b.Dispatches, 0), _ct);
        }

        await using (var lease = await leases.StartAsync(message, _ct))
        {
            Assert.NotNull(lease);
        }

        var batch = await BatchAsync(message.JobId);
        Assert.Equal((BatchState.Started, 1), (batch.State, batch.Dispatches));
        // Two dispatches ahead is not one the scheduler can have published.
        Assert.Null(await leases.StartAsync(message with { Dispatch = 3 }, _ct));
    }

    private async Task<Batch> BatchAsync(Guid jobId)
    {
        await using var db = await host.ContextAsync();
        return await db.Batches.AsNoTracking().SingleAsync(b => b.JobId == jobId, _ct);
    }

    private async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> holds)
    {
        for (var attempt = 0; ; attempt++)
        {
            var value = await read();
            if (holds(value) || attempt == 100)
            {
                Assert.True(holds(value), "the condition did not hold within 10 s");
                return value;
            }
            await Task.Delay(100, _ct);
        }
    }
}
