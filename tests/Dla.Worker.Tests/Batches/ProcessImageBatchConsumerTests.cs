using System.Text.Json;
using Dla.Contracts;
using Dla.Persistence.Jobs;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Dla.Worker.Tests.Batches;

/// <summary>The batch consumer end to end on the in-memory bus, against each database provider.</summary>
public abstract class ProcessImageBatchConsumerTests(WorkerHost host)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stores_one_result_per_readable_image_and_one_error_per_bad_file()
    {
        await using var worker = await host.StartWorkerAsync();
        var message = await host.SeedJobAsync();
        await worker.Harness.Bus.Publish(message, _ct);

        Assert.True(await worker.Harness.Published.Any<ImageBatchProcessed>(m => m.Context.Message.JobId == message.JobId, _ct));
        var processed = worker.Harness.Published.Select<ImageBatchProcessed>(m => m.Context.Message.JobId == message.JobId, _ct).First().Context.Message;
        Assert.Equal((WorkerHost.Photos.Length, WorkerHost.BadFiles.Length + WorkerHost.Unreadable.Length), (processed.Succeeded, processed.Failed));

        await using var db = await host.ContextAsync();
        var paths = message.Images.ToDictionary(i => i.ImageId, i => i.Path);
        var results = await db.Results.Where(r => r.JobId == message.JobId).ToListAsync(_ct);
        var errors = await db.Errors.Where(e => e.JobId == message.JobId).ToListAsync(_ct);
        var job = await db.Jobs.SingleAsync(j => j.Id == message.JobId, _ct);
        Assert.Equal(WorkerHost.Photos.Order(), results.Select(r => paths[r.ImageId]).Order());
        Assert.All(results, r =>
        {
            Assert.Equal(host.Expected[paths[r.ImageId]].Top1, r.Top1Index);
            Assert.Equal(job.EmbeddingDim, r.Embedding!.Length);
            var topK = JsonDocument.Parse(r.TopKJson!).RootElement;
            Assert.Equal(5, topK.GetArrayLength());
            Assert.Equal(r.Top1Index, topK[0].GetProperty("index").GetInt32());
            Assert.Equal(r.Top1Label, topK[0].GetProperty("label").GetString());
            Assert.Equal(r.Top1Probability, topK[0].GetProperty("probability").GetSingle());
        });
        Assert.Equal(WorkerHost.BadFiles.Concat(WorkerHost.Unreadable).Order(), errors.Select(e => paths[e.ImageId]).Order());
        Assert.All(errors, e => Assert.Equal(host.Expected[paths[e.ImageId]].ErrorKind, e.Kind));
        Assert.Equal(256, job.EmbeddingDim);
        Assert.Equal(BatchState.Completed, (await db.Batches.SingleAsync(b => b.JobId == message.JobId, _ct)).State);
    }

    [Fact]
    public async Task A_copy_of_a_completed_batch_is_acknowledged_without_work()
    {
        await using var worker = await host.StartWorkerAsync();
        var message = await host.SeedJobAsync();
        await worker.Harness.Bus.Publish(message, _ct);
        Assert.True(await worker.Harness.Published.Any<ImageBatchProcessed>(m => m.Context.Message.JobId == message.JobId, _ct));
        var first = await CountsAsync(message.JobId);

        // The same dispatch published twice (a scheduler crash between publish and record).
        await worker.Harness.Bus.Publish(message, _ct);
        Assert.Equal(2, await worker.Harness.Consumed.SelectAsync<ProcessImageBatch>(m => m.Context.Message.JobId == message.JobId, _ct).Take(2).CountAsync(_ct));

        Assert.Single(worker.Harness.Published.Select<ImageBatchProcessed>(m => m.Context.Message.JobId == message.JobId, _ct));
        Assert.Equal(first, await CountsAsync(message.JobId));
        Assert.Equal((WorkerHost.Photos.Length, WorkerHost.BadFiles.Length + WorkerHost.Unreadable.Length), first);
    }

    [Fact]
    public async Task A_requeued_batch_runs_under_its_new_dispatch_and_the_old_copy_is_skipped()
    {
        await using var worker = await host.StartWorkerAsync();
        var stale = await host.SeedJobAsync();
        // The first dispatch's worker went silent, so the scheduler published the batch again.
        await using (var db = await host.ContextAsync())
        {
            await db.Batches.Where(b => b.JobId == stale.JobId).ExecuteUpdateAsync(s => s.SetProperty(b => b.Dispatches, 2), _ct);
        }

        await worker.Harness.Bus.Publish(stale, _ct);
        Assert.True(await worker.Harness.Consumed.Any<ProcessImageBatch>(m => m.Context.Message.JobId == stale.JobId, _ct));
        Assert.Equal((0, 0), await CountsAsync(stale.JobId));
        await worker.Harness.Bus.Publish(stale with { Dispatch = 2 }, _ct);

        Assert.True(await worker.Harness.Published.Any<ImageBatchProcessed>(m => m.Context.Message.JobId == stale.JobId, _ct));
        Assert.Equal((WorkerHost.Photos.Length, WorkerHost.BadFiles.Length + WorkerHost.Unreadable.Length), await CountsAsync(stale.JobId));
        Assert.Single(worker.Harness.Published.Select<ImageBatchProcessed>(m => m.Context.Message.JobId == stale.JobId, _ct));
    }

    [Fact]
    public async Task A_cancelled_job_writes_nothing()
    {
        await using var worker = await host.StartWorkerAsync();
        var message = await host.SeedJobAsync(cancelled: true);
        await worker.Harness.Bus.Publish(message, _ct);

        Assert.True(await worker.Harness.Consumed.Any<ProcessImageBatch>(m => m.Context.Message.JobId == message.JobId, _ct));
        Assert.Equal((0, 0), await CountsAsync(message.JobId));
        await using var db = await host.ContextAsync();
        Assert.Equal(BatchState.Queued, (await db.Batches.SingleAsync(b => b.JobId == message.JobId, _ct)).State);
        Assert.Empty(worker.Harness.Published.Select<ImageBatchProcessed>(m => m.Context.Message.JobId == message.JobId, _ct));
        Assert.Empty(worker.Harness.Published.Select<Fault<ProcessImageBatch>>(m => m.Context.Message.Message.JobId == message.JobId, _ct));
    }

    [Fact]
    public async Task A_batch_of_a_failed_job_is_skipped()
    {
        await using var worker = await host.StartWorkerAsync();
        var message = await host.SeedJobAsync();
        await using (var db = await host.ContextAsync())
        {
            await db.Jobs.Where(j => j.Id == message.JobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.State, JobState.Failed), _ct);
        }
        await worker.Harness.Bus.Publish(message, _ct);

        Assert.True(await worker.Harness.Consumed.Any<ProcessImageBatch>(m => m.Context.Message.JobId == message.JobId, _ct));
        Assert.Equal((0, 0), await CountsAsync(message.JobId));
        Assert.Empty(worker.Harness.Published.Select<ImageBatchProcessed>(m => m.Context.Message.JobId == message.JobId, _ct));
    }

    [Fact]
    public async Task An_earlier_cancellation_event_does_not_stop_a_job_that_runs_again()
    {
        // A failed job announces itself like a cancelled one; retry-failed then resumes it, and the
        // workers that saw the event must process its batches (the database is the authority).
        await using var worker = await host.StartWorkerAsync();
        var message = await host.SeedJobAsync();
        await worker.Harness.Bus.Publish(new JobCancellationRequested(message.JobId), _ct);
        Assert.True(await worker.Harness.Consumed.Any<JobCancellationRequested>(m => m.Context.Message.JobId == message.JobId, _ct));

        await worker.Harness.Bus.Publish(message, _ct);

        Assert.True(await worker.Harness.Published.Any<ImageBatchProcessed>(m => m.Context.Message.JobId == message.JobId, _ct));
        Assert.Equal((WorkerHost.Photos.Length, WorkerHost.BadFiles.Length + WorkerHost.Unreadable.Length), await CountsAsync(message.JobId));
    }

    private async Task<(int Results, int Errors)> CountsAsync(Guid jobId)
    {
        await using var db = await host.ContextAsync();
        return (await db.Results.CountAsync(r => r.JobId == jobId, _ct), await db.Errors.CountAsync(e => e.JobId == jobId, _ct));
    }
}

/// <summary>On SQLite, as <c>dla run</c> uses it.</summary>
public sealed class SqliteProcessImageBatchConsumerTests(SqliteWorkerHost host) : ProcessImageBatchConsumerTests(host), IClassFixture<SqliteWorkerHost>;

/// <summary>On the real PostgreSQL, as the distributed workers use it.</summary>
public sealed class PostgresProcessImageBatchConsumerTests(PostgresWorkerHost host) : ProcessImageBatchConsumerTests(host), IClassFixture<PostgresWorkerHost>;
