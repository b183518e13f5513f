using System.Diagnostics;

namespace Dla.Integration.Tests.Reliability;

/// <summary>
/// Scenarios 11 and 12: jobs at scale with one worker — a backlog many leases long, and a small job submitted
/// behind a large one (docs/scheduling.md). Real scheduler and worker processes on the private services.
/// </summary>
[Collection(ReliabilityCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class SchedulingScenarios(ReliabilityFixture fixture, ITestOutputHelper output)
{
    private const int QueueCap = 8;

    [Fact]
    public async Task Scenario_11_a_backlog_far_longer_than_the_lease_expires_nothing()
    {
        fixture.Require();
        // A 2 s lease and at most two dispatches: under leases that started at publish, every batch still
        // queued after 4 s failed. Now only a silent worker loses its batch.
        await using var cluster = await JobCluster.CreateAsync(fixture, output, new Dictionary<string, string?>
        {
            ["Scheduler__LeaseSeconds"] = "2", ["Scheduler__MaxDispatches"] = "2", ["Scheduler__MaxQueuedBatches"] = $"{QueueCap}",
        });
        await cluster.StartAsync(workers: 1);
        var clock = Stopwatch.StartNew();
        var jobId = await cluster.SubmitAsync(fixture.Dataset);

        var depth = await SampleQueueDepthUntilFinalAsync(cluster, jobId);
        var final = await cluster.WaitFinalAsync(jobId);
        clock.Stop();

        Assert.Equal("succeeded", final.State);
        var dispatches = (await cluster.BatchDispatchesAsync(jobId)).Values.ToList();
        Assert.All(dispatches, d => Assert.Equal(1, d));
        Assert.NotEmpty(depth);
        // The broker holds the queued batches plus the one the worker runs (unacknowledged until stored).
        Assert.InRange(depth.Max(), 1, QueueCap + 1);
        var counts = await JobAudit.RunAsync(cluster, fixture.Dataset, jobId, final, complete: true);
        output.WriteLine(ReliabilityReport.Add("11. backlog far longer than the lease (one worker)", counts, final.State, null,
            $"lease 2 s, MaxDispatches 2; the job took {clock.Elapsed.TotalSeconds:0} s ({clock.Elapsed.TotalSeconds / 2:0} leases); {dispatches.Count} batches published {dispatches.Sum()} times; queue depth ≤ {depth.Max()} (cap {QueueCap} + the running batch; sampled every second)"));
    }

    [Fact]
    public async Task Scenario_12_a_small_job_behind_a_large_one_finishes_while_the_large_one_runs()
    {
        fixture.Require();
        await using var cluster = await JobCluster.CreateAsync(fixture, output, new Dictionary<string, string?> { ["Scheduler__MaxQueuedBatches"] = $"{QueueCap}" });
        await cluster.StartAsync(workers: 1);
        var large = await cluster.SubmitAsync(fixture.Dataset);
        await cluster.WaitAsync(large, p => p.Done >= 40, TimeSpan.FromMinutes(5), "the large job under way");

        // The six unusual but valid images (CMYK, 16-bit, palette, …), in three batches.
        var largeAtSubmit = (await cluster.TryProgressAsync(large))?.Done;
        var submitted = Stopwatch.StartNew();
        var small = await cluster.SubmitAsync(fixture.Dataset, new { dataset = $"{fixture.Dataset.Location}unusual/", batch_size = 2 });
        var smallFinal = await cluster.WaitFinalAsync(small);
        submitted.Stop();
        var largeThen = await cluster.TryProgressAsync(large);

        Assert.Equal(("succeeded", 6L, 0L), (smallFinal.State, smallFinal.Succeeded, smallFinal.Failed));
        Assert.NotNull(largeThen);
        Assert.False(largeThen.IsFinal, "the large job finished first: the small one waited behind it");
        var final = await cluster.WaitFinalAsync(large);
        Assert.Equal("succeeded", final.State);
        var counts = await JobAudit.RunAsync(cluster, fixture.Dataset, large, final, complete: true);
        output.WriteLine(ReliabilityReport.Add("12. small job behind a large one (one worker)", counts, final.State, submitted.Elapsed,
            $"6 images in 3 batches submitted when the large job had {largeAtSubmit} of {fixture.Dataset.Count} outcomes: done {submitted.Elapsed.TotalSeconds:0.0} s later, the large one then at {largeThen.Done}; the row audits the large job"));
    }

    /// <summary>Messages in the batch queue (ready + unacknowledged), every second until the job is final.</summary>
    private static async Task<List<long>> SampleQueueDepthUntilFinalAsync(JobCluster cluster, Guid jobId)
    {
        var depth = new List<long>();
        while ((await cluster.TryProgressAsync(jobId))?.IsFinal != true)
        {
            depth.Add(await cluster.QueueMessagesAsync("process-image-batch"));
            await Task.Delay(1000, TestContext.Current.CancellationToken);
        }
        return depth;
    }
}
