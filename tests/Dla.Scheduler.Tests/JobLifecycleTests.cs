using System.Net.Http.Json;
using System.Text.Json;
using Dla.Contracts;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Tests.Hosting;

namespace Dla.Scheduler.Tests;

/// <summary>Submit → plan → dispatch → (simulated) process → finish, on SQLite and the in-memory transport.</summary>
public sealed class JobLifecycleTests : IDisposable
{
    private readonly TestDataset _dataset = new(images: 103);

    public void Dispose() => _dataset.Dispose();

    [Fact]
    public async Task Submitting_plans_every_image_into_ceil_n_over_batch_size_batches()
    {
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root, new Dictionary<string, string?> { ["Scheduler:ListingChunkSize"] = "25" });

        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 10 });

        var job = await Eventually.HoldsAsync(() => host.JobAsync(jobId), j => j.ListingComplete, "listing to complete");
        Assert.Equal(JobState.Running, job.State);
        Assert.Equal(103, job.ListedImages);
        Assert.Equal(11, job.PlannedBatches);
        var manifest = await host.ManifestAsync(jobId);
        Assert.Equal(_dataset.ListingOrder, manifest.Select(i => i.Path));
        Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), manifest.Select(i => i.ImageId));
        Assert.All(manifest, i => Assert.Equal((int)(i.ImageId / 10), i.BatchIndex));
        var batches = await host.BatchesAsync(jobId);
        Assert.Equal(Enumerable.Range(0, 11), batches.Select(b => b.BatchIndex));
        Assert.Equal([.. Enumerable.Repeat(10, 10), 3], batches.Select(b => b.ImageCount));
    }

    [Fact]
    public async Task The_dispatcher_publishes_each_batch_once_with_its_images_and_the_model()
    {
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);

        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla46_c", weights = "random", seed = 7, num_classes = 10, tasks = new[] { "embed" }, batch_size = 10 });

        var received = await host.AllBatchesReceivedAsync(jobId, 11);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal(11, host.Recorder.For(jobId).Count);
        var manifest = await host.ManifestAsync(jobId);
        foreach (var batch in received)
        {
            Assert.Equal(1, batch.Dispatch);
            Assert.Equal(_dataset.Root, batch.Dataset);
            Assert.Equal(new ModelSpec("dla46_c", "random", 7, 10, "fp32", JobTasks.Embed, 5, WeightsSha256: null, Decode: "exact"), batch.Model);
            Assert.Equal(manifest.Where(i => i.BatchIndex == batch.BatchIndex).Select(i => new ImageRef(i.ImageId, i.Path)), batch.Images);
        }
        var batches = await host.BatchesAsync(jobId);
        // Queued, not leased: waiting in the queue never expires; the lease starts when a worker starts the batch.
        Assert.All(batches, b => Assert.Equal((BatchState.Queued, 1, (DateTimeOffset?)null), (b.State, b.Dispatches, b.LeaseUntil)));
        Assert.All(received, b => Assert.Equal(60, b.LeaseSeconds));
    }

    [Fact]
    public async Task Processing_every_batch_succeeds_the_job_with_exact_counts()
    {
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 10 });

        foreach (var batch in await host.AllBatchesReceivedAsync(jobId, 11))
        {
            var errors = batch.BatchIndex == 4 ? new Dictionary<long, string> { [41] = "unreadable", [42] = "truncated" } : null;
            await host.Worker.ProcessAsync(batch, errors);
        }

        var job = await host.JobReachesAsync(jobId, JobState.Succeeded);
        Assert.NotNull(job.FinishedAt);
        using var progress = JsonDocument.Parse(await host.Http.GetStringAsync($"/jobs/{jobId}", TestContext.Current.CancellationToken));
        var p = progress.RootElement.GetProperty("progress");
        Assert.Equal("succeeded", p.GetProperty("state").GetString());
        Assert.Equal(103, p.GetProperty("total").GetInt64());
        Assert.True(p.GetProperty("total_final").GetBoolean());
        Assert.Equal(101, p.GetProperty("succeeded").GetInt64());
        Assert.Equal(2, p.GetProperty("failed").GetInt64());
        Assert.Equal(0, p.GetProperty("remaining").GetInt64());
    }

    [Fact]
    public async Task Exceeding_max_failed_images_fails_the_job_with_the_reason_and_stops_its_batches()
    {
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 10, max_failed_images = 3 });
        var first = (await host.AllBatchesReceivedAsync(jobId, 11))[0];

        await host.Worker.ProcessAsync(first, Enumerable.Range(0, 5).ToDictionary(i => (long)i, _ => "unreadable"));

        var job = await host.JobReachesAsync(jobId, JobState.Failed);
        Assert.Equal("5 images failed, more than max_failed_images (3)", job.FailureReason);
        var batches = await host.BatchesAsync(jobId);
        Assert.Equal(BatchState.Completed, batches[0].State);
        Assert.All(batches.Skip(1), b => Assert.Equal(BatchState.Cancelled, b.State));
        await Eventually.HoldsAsync(() => Task.FromResult(host.Recorder.Cancellations), c => c.Contains(jobId), "workers to be told to stop");
    }

    [Fact]
    public async Task Exceeding_max_failed_percent_fails_the_job_once_the_total_is_known()
    {
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 10, max_failed_percent = 5.0 });
        var batches = await host.AllBatchesReceivedAsync(jobId, 11);

        await host.Worker.ProcessAsync(batches[0], Enumerable.Range(0, 6).ToDictionary(i => (long)i, _ => "truncated"));

        var job = await host.JobReachesAsync(jobId, JobState.Failed);
        Assert.Equal("6 of 103 images failed (5.83 %), more than max_failed_percent (5 %)", job.FailureReason);
    }

    [Fact]
    public async Task Cancelling_stops_dispatch_and_cancels_unfinished_batches()
    {
        // A one-second lease: without the cancellation, expired batches would be dispatched again.
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root, new Dictionary<string, string?> { ["Scheduler:LeaseSeconds"] = "1" });
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 10 });
        var batches = await host.AllBatchesReceivedAsync(jobId, 11);
        await host.Worker.ProcessAsync(batches[0]);

        using var response = await host.Http.PostAsync($"/jobs/{jobId}/cancel", null, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var view = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("cancelled", view.GetProperty("state").GetString());
        var dispatchedAtCancel = host.Recorder.For(jobId).Count;
        await Task.Delay(2500, TestContext.Current.CancellationToken);
        Assert.Equal(dispatchedAtCancel, host.Recorder.For(jobId).Count);
        var stored = await host.BatchesAsync(jobId);
        Assert.Equal(BatchState.Completed, stored[0].State);
        Assert.All(stored.Skip(1), b => Assert.Equal(BatchState.Cancelled, b.State));
        Assert.Contains(jobId, host.Recorder.Cancellations);
        var job = await host.JobAsync(jobId);
        Assert.Equal(JobState.Cancelled, job.State);
        Assert.NotNull(job.CancelRequestedAt);
    }

    [Fact]
    public async Task A_started_batch_whose_heartbeats_stop_is_dispatched_again_until_max_dispatches_then_fails()
    {
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root,
            new Dictionary<string, string?> { ["Scheduler:LeaseSeconds"] = "1", ["Scheduler:MaxDispatches"] = "2" });
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 50 });
        var batches = await host.AllBatchesReceivedAsync(jobId, 3);
        await host.Worker.ProcessAsync(batches[0]);
        await host.Worker.ProcessAsync(batches[1]);
        // A worker starts batch 2 and dies: no heartbeat follows its start.
        Assert.True(await host.Worker.StartAsync(batches[2]));
        var again = await Eventually.HoldsAsync(() => Task.FromResult(host.Recorder.For(jobId).Where(b => b.BatchIndex == 2).ToList()), b => b.Count == 2, "batch 2 to be dispatched again");
        // The dispatcher publishes before it records a dispatch (BatchTransitions.StartAsync says why): until the record
        // lands, the first copy is still the batch's latest and may start. Once it has, that copy is stale.
        await Eventually.HoldsAsync(async () => (await host.BatchesAsync(jobId))[2], b => b.Dispatches == 2, "the second dispatch of batch 2 to be recorded");
        Assert.False(await host.Worker.StartAsync(batches[2]), "the first dispatch's copy is stale once the batch went out again");
        Assert.True(await host.Worker.StartAsync(again[1]));

        var job = await host.JobReachesAsync(jobId, JobState.Failed);

        Assert.Equal([1, 2], host.Recorder.For(jobId).Where(b => b.BatchIndex == 2).Select(b => b.Dispatch));
        Assert.Equal("1 batches failed; run retry-failed", job.FailureReason);
        var failed = (await host.BatchesAsync(jobId))[2];
        Assert.Equal(BatchState.Failed, failed.State);
        Assert.Contains("stopped heartbeating on each of 2 dispatches (last: simulated-worker", failed.LastError, StringComparison.Ordinal);
    }
}
