using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dla.Contracts;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Tests.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Tests;

/// <summary>
/// Jobs at scale on SQLite and the in-memory transport: leases that measure liveness, not queue wait; a queue
/// bounded by Scheduler:MaxQueuedBatches; fair share by priority between running jobs (docs/scheduling.md).
/// The test is the worker pool: one worker taking batches in the order the queue delivered them.
/// </summary>
public sealed class SchedulingTests : IDisposable
{
    private readonly TestDataset _dataset = new(images: 105);
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public SchedulingTests()
    {
        _dataset.Add("small/a.jpg");
        _dataset.Add("small/b.jpg");
    }

    public void Dispose() => _dataset.Dispose();

    [Fact]
    public async Task A_backlog_many_times_the_lease_expires_nothing_and_every_batch_runs_exactly_once()
    {
        await using var host = await StartAsync(new() { ["Scheduler:LeaseSeconds"] = "1", ["Scheduler:MaxQueuedBatches"] = "4" });
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 5 });
        await host.AllBatchesReceivedAsync(jobId, 4);

        // Three leases long nobody starts anything: nothing expires, nothing is published again, the queue stays at its cap.
        await Task.Delay(TimeSpan.FromSeconds(3), _ct);
        Assert.Equal(4, host.Recorder.For(jobId).Count);
        Assert.Equal(4, await QueuedAsync(host));

        var pool = new SimulatedWorker(host);
        var maxQueued = 0;
        while ((await host.JobAsync(jobId)).State == JobState.Running)
        {
            maxQueued = Math.Max(maxQueued, await QueuedAsync(host));
            await pool.ProcessNextAsync(until: () => JobFinishedAsync(host, jobId));
        }

        Assert.Equal(JobState.Succeeded, (await host.JobAsync(jobId)).State);
        var deliveries = host.Recorder.For(jobId);
        var batches = (_dataset.ListingOrder.Count + 4) / 5;
        Assert.Equal(batches, deliveries.Count);
        Assert.Equal(Enumerable.Range(0, batches), deliveries.Select(b => b.BatchIndex).Order());
        Assert.All(deliveries, b => Assert.Equal(1, b.Dispatch));
        Assert.InRange(maxQueued, 1, 4);
    }

    [Fact]
    public async Task The_queue_holds_a_few_batches_per_busy_worker_and_grows_as_workers_take_them()
    {
        await using var host = await StartAsync(new() { ["Scheduler:QueuedBatchesPerWorker"] = "2", ["Scheduler:LeaseSeconds"] = "60" });
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 5 });

        // No worker is busy: one worker's worth (2) is queued, not MaxQueuedBatches (64).
        var first = await host.AllBatchesReceivedAsync(jobId, 2);
        await Task.Delay(500, _ct);
        Assert.Equal(2, host.Recorder.For(jobId).Count);

        // Two workers start a batch each and keep it: the queue grows to 2 × (2 busy + 1) = 6 queued batches.
        Assert.True(await host.Worker.StartAsync(first[0] with { LeaseSeconds = 60 }));
        Assert.True(await host.Worker.StartAsync(first[1] with { LeaseSeconds = 60 }, worker: "second-worker"));
        await host.AllBatchesReceivedAsync(jobId, 8);
        await Task.Delay(500, _ct);
        Assert.Equal(8, host.Recorder.For(jobId).Count);
        Assert.Equal(6, await QueuedAsync(host));
    }

    [Fact]
    public async Task A_small_job_submitted_behind_a_large_one_finishes_while_the_large_one_runs()
    {
        await using var host = await StartAsync(new() { ["Scheduler:MaxQueuedBatches"] = "2" });
        var large = await host.SubmitAsync(new { dataset = Path.Combine(_dataset.Root, "f0"), model = "dla34", batch_size = 1 });
        await host.AllBatchesReceivedAsync(large, 2);
        var pool = new SimulatedWorker(host);
        for (var i = 0; i < 3; i++)
        {
            await pool.ProcessNextAsync();
        }

        var small = await host.SubmitAsync(new { dataset = Path.Combine(_dataset.Root, "small"), model = "dla34", batch_size = 1 });
        // Planning takes milliseconds, in which this test's worker, far faster than any real one, could process
        // several batches; the point is what happens once the small job's batches exist.
        await Eventually.HoldsAsync(() => host.JobAsync(small), j => j.ListingComplete, "the small job to be planned");
        var deliveredBefore = host.Recorder.Batches.Count;
        while (pool.Processed.Count(b => b.JobId == small) < 2)
        {
            await pool.ProcessNextAsync();
        }

        await host.JobReachesAsync(small, JobState.Succeeded);
        Assert.Equal(JobState.Running, (await host.JobAsync(large)).State);
        // Its batches took the next free slots: behind at most what was queued ahead of it (the cap, 2).
        var since = host.Recorder.Batches.Skip(deliveredBefore).Select(b => b.JobId).ToList();
        Assert.InRange(since.LastIndexOf(small), 1, 2 + 2);
        Assert.True((await host.BatchesAsync(large)).Count(b => b.State == BatchState.Planned) > 20, "the large job still has most of its work ahead");
    }

    [Fact]
    public async Task Priorities_share_the_queue_by_weight_and_a_change_takes_effect_on_a_running_job()
    {
        await using var host = await StartAsync(new() { ["Scheduler:MaxQueuedBatches"] = "4" });
        var low = await host.SubmitAsync(new { dataset = Path.Combine(_dataset.Root, "f0"), model = "dla34", batch_size = 1, priority = 10 });
        var high = await host.SubmitAsync(new { dataset = Path.Combine(_dataset.Root, "f1"), model = "dla34", batch_size = 1, priority = 30 });
        var planned = await Eventually.HoldsAsync(() => Task.WhenAll(host.JobAsync(low), host.JobAsync(high)), jobs => jobs.All(j => j.ListingComplete), "both jobs to be planned");
        Assert.Equal([10, 30], planned.Select(j => j.Priority));
        var pool = new SimulatedWorker(host);
        // What was dispatched before the second job was planned is left out: the first job had the queue to itself.
        var given = await DispatchesAsync(host, pool, skip: 8, count: 16);
        Assert.True(given[high] >= 2 * given[low], $"priority 30 against 10: high got {given[high]}, low {given[low]} of 16");
        Assert.True(given[low] > 0, "a lower priority still gets a share");

        using var change = await host.Http.PutAsJsonAsync($"/jobs/{low}/priority", new { priority = 90 }, _ct);
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.Equal(90, (await change.Content.ReadFromJsonAsync<JsonElement>(_ct)).GetProperty("priority").GetInt32());
        // A round decided before the change may still be on its way: one queue's worth (4) is left out.
        given = await DispatchesAsync(host, pool, skip: 4, count: 12);
        Assert.True(given[low] >= 2 * given[high], $"priority 90 against 30: low got {given[low]}, high {given[high]} of 12");
    }

    [Fact]
    public async Task A_priority_out_of_range_is_refused_naming_the_field_and_a_finished_job_keeps_its_own()
    {
        await using var host = await StartAsync([]);
        using var submit = await host.Http.PostAsJsonAsync("/jobs", new { dataset = _dataset.Root, model = "dla34", priority = 0 }, SchedulerHost.Json, _ct);
        Assert.Equal(HttpStatusCode.BadRequest, submit.StatusCode);
        Assert.Contains("1 to 100", (await submit.Content.ReadFromJsonAsync<JsonElement>(_ct)).GetProperty("errors").GetProperty("priority")[0].GetString(), StringComparison.Ordinal);

        var jobId = await host.SubmitAsync(new { dataset = Path.Combine(_dataset.Root, "small"), model = "dla34" });
        using var tooHigh = await host.Http.PutAsJsonAsync($"/jobs/{jobId}/priority", new { priority = 101 }, _ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooHigh.StatusCode);
        using var missing = await host.Http.PutAsJsonAsync($"/jobs/{jobId}/priority", new { }, _ct);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);

        await host.Worker.ProcessAsync((await host.AllBatchesReceivedAsync(jobId, 1))[0]);
        await host.JobReachesAsync(jobId, JobState.Succeeded);
        using var finished = await host.Http.PutAsJsonAsync($"/jobs/{jobId}/priority", new { priority = 50 }, _ct);
        Assert.Equal(HttpStatusCode.Conflict, finished.StatusCode);
        Assert.Equal(JobPriority.Default, (await host.JobAsync(jobId)).Priority);
    }

    private Task<SchedulerHost> StartAsync(Dictionary<string, string?> settings) => SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root, settings);

    /// <summary>
    /// Processes batches until <paramref name="skip"/> + <paramref name="count"/> more have been dispatched; returns how many
    /// of the last <paramref name="count"/> went to each job.
    /// </summary>
    private static async Task<Dictionary<Guid, int>> DispatchesAsync(SchedulerHost host, SimulatedWorker pool, int skip, int count)
    {
        var start = host.Recorder.Batches.Count + skip;
        while (host.Recorder.Batches.Count < start + count)
        {
            await pool.ProcessNextAsync();
        }
        var window = host.Recorder.Batches.Skip(start).Take(count).ToList();
        return host.Recorder.Batches.Select(b => b.JobId).Distinct().ToDictionary(job => job, job => window.Count(b => b.JobId == job));
    }

    private static async Task<int> QueuedAsync(SchedulerHost host)
    {
        await using var db = await host.Databases.CreateAsync(TestContext.Current.CancellationToken);
        return await db.Batches.CountAsync(b => b.State == BatchState.Queued, TestContext.Current.CancellationToken);
    }

    private static async Task<bool> JobFinishedAsync(SchedulerHost host, Guid jobId) =>
        (await host.JobAsync(jobId)).State is not (JobState.Running or JobState.Pending);

    /// <summary>One worker: takes the oldest delivered batch it has not processed, and processes it.</summary>
    private sealed class SimulatedWorker(SchedulerHost host)
    {
        private readonly HashSet<(Guid, int, int)> _done = [];

        public List<ProcessImageBatch> Processed { get; } = [];

        /// <summary>Processes the next delivered batch; waits for one unless <paramref name="until"/> holds first.</summary>
        public async Task ProcessNextAsync(Func<Task<bool>>? until = null)
        {
            for (var waited = 0; waited < 300; waited++)
            {
                if (host.Recorder.Batches.FirstOrDefault(b => !_done.Contains((b.JobId, b.BatchIndex, b.Dispatch))) is { } next)
                {
                    _done.Add((next.JobId, next.BatchIndex, next.Dispatch));
                    Processed.Add(next);
                    await host.Worker.ProcessAsync(next);
                    return;
                }
                if (until is not null && await until())
                {
                    return;
                }
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
            Assert.Fail("no batch was delivered within 15 s");
        }
    }
}
