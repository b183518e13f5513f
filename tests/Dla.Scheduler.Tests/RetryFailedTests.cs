using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Tests.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Tests;

public sealed class RetryFailedTests : IDisposable
{
    private readonly TestDataset _dataset = new(images: 40);

    public void Dispose() => _dataset.Dispose();

    [Fact]
    public async Task Retry_failed_replans_only_failed_batches_and_transiently_failed_images()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        // Batch 1 keeps failing on the worker, so MassTransit faults it to the scheduler.
        host.Recorder.FailWhen = b => b.BatchIndex == 1;
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 10 });
        var batches = await Eventually.HoldsAsync(
            () => Task.FromResult(host.Recorder.For(jobId).DistinctBy(b => b.BatchIndex).OrderBy(b => b.BatchIndex).ToList()),
            b => b.Count == 4, "4 batches to be dispatched");
        await host.Worker.ProcessAsync(batches[0], new Dictionary<long, string> { [3] = "read_failed", [4] = "unreadable" });
        await host.Worker.ProcessAsync(batches[2], new Dictionary<long, string> { [25] = "timeout" });
        await host.Worker.ProcessAsync(batches[3]);

        var failed = await host.JobReachesAsync(jobId, JobState.Failed);
        Assert.Equal("1 batches failed; run retry-failed", failed.FailureReason);
        Assert.Contains("simulated failure of batch 1", (await host.BatchesAsync(jobId))[1].LastError, StringComparison.Ordinal);

        host.Recorder.FailWhen = _ => false;
        var dispatchedBefore = host.Recorder.For(jobId).Count;
        using var response = await host.Http.PostAsync($"/jobs/{jobId}/retry-failed", null, cancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outcome = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        Assert.Equal((1, 2, 1), (outcome.GetProperty("batches").GetInt32(), outcome.GetProperty("images").GetInt32(), outcome.GetProperty("new_batches").GetInt32()));
        var retried = await Eventually.HoldsAsync(
            () => Task.FromResult(host.Recorder.For(jobId).Skip(dispatchedBefore).ToList()), r => r.Count >= 2, "the retried batches to be dispatched");
        await Task.Delay(300, cancellationToken);
        Assert.Equal(2, host.Recorder.For(jobId).Count - dispatchedBefore);
        var again = Assert.Single(retried, b => b.BatchIndex == 1);
        Assert.Equal(2, again.Dispatch);
        var extra = Assert.Single(retried, b => b.BatchIndex == 4);
        Assert.Equal([3L, 25L], extra.Images.Select(i => i.ImageId));
        await using (var db = await host.Databases.CreateAsync(cancellationToken))
        {
            // The permanent error stays; the transient ones were removed with the re-plan.
            Assert.Equal([4L], await db.Errors.Where(e => e.JobId == jobId).Select(e => e.ImageId).ToListAsync(cancellationToken));
            // Batches 0 and 2 no longer count the images that moved to batch 4, so the job's counts are its rows'.
            Assert.Equal([(8, 1), (0, 0), (9, 0), (10, 0), (0, 0)], (await db.Batches.Where(b => b.JobId == jobId).OrderBy(b => b.BatchIndex)
                .Select(b => new { b.SucceededImages, b.FailedImages }).ToListAsync(cancellationToken)).Select(b => (b.SucceededImages, b.FailedImages)));
            Assert.Equal((27L, 1L), await JobOutcomes.CountAsync(db, jobId, cancellationToken));
        }
        Assert.Equal(JobState.Running, (await host.JobAsync(jobId)).State);

        await host.Worker.ProcessAsync(again);
        await host.Worker.ProcessAsync(extra);

        var job = await host.JobReachesAsync(jobId, JobState.Succeeded);
        Assert.Null(job.FailureReason);
        var batchesAfter = await host.BatchesAsync(jobId);
        Assert.Equal(5, batchesAfter.Count);
        Assert.All(batchesAfter, b => Assert.Equal(BatchState.Completed, b.State));
        Assert.Equal((job.ListedImages - 1, 1L), (job.SettledSucceeded, job.SettledFailed));
    }

    [Fact]
    public async Task Retry_failed_without_anything_failed_is_a_conflict()
    {
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 20 });
        foreach (var batch in await host.AllBatchesReceivedAsync(jobId, 2))
        {
            await host.Worker.ProcessAsync(batch);
        }
        await host.JobReachesAsync(jobId, JobState.Succeeded);

        using var response = await host.Http.PostAsync($"/jobs/{jobId}/retry-failed", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
