using System.Diagnostics;
using Dla.Integration.Tests.Hosting;

namespace Dla.Integration.Tests.Reliability;

/// <summary>Scenarios 1, 4, 9 and 13: workers and the scheduler killed, stopped or frozen in the middle of a job.</summary>
[Collection(ReliabilityCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class ProcessCrashScenarios(ReliabilityFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Scenario_01_kill_9_one_of_two_workers_in_the_middle_of_a_batch()
    {
        fixture.Require();
        await using var cluster = await JobCluster.CreateAsync(fixture, output);
        var victim = (await cluster.StartAsync())[0];
        var jobId = await cluster.SubmitAsync(fixture.Dataset);

        var before = await cluster.WaitForAFifthAsync(jobId, fixture.Dataset);
        victim.Kill();
        var recovery = await cluster.TimeToProgressAsync(jobId, (await cluster.TryProgressAsync(jobId) ?? before).Done);
        var final = await cluster.WaitFinalAsync(jobId);

        Assert.Equal("succeeded", final.State);
        var counts = await JobAudit.RunAsync(cluster, fixture.Dataset, jobId, final, complete: true);
        output.WriteLine(ReliabilityReport.Add("1. kill -9 one of two workers mid-batch", counts, final.State, recovery,
            $"killed at {before.Done} outcomes; its unacknowledged batches were redelivered to the other worker"));
    }

    [Fact]
    public async Task Scenario_04_kill_9_the_scheduler_while_it_is_listing_and_dispatching_then_start_it_again()
    {
        fixture.Require();
        await using var proxy = await BlobFaultProxy.StartAsync(fixture.Services.Endpoints.BlobStorage, TestContext.Current.CancellationToken);
        // Small listing pages, held after the fourth (160 files), keep the scheduler listing while the first batches run,
        // however long the workers take to start. The pages come 600 ms apart, more than the planner's 500 ms between
        // manifest writes, so each page is stored when the next arrives: 120 files at least before the hold.
        proxy.ListingLatency = TimeSpan.FromMilliseconds(600);
        proxy.HoldListingAfter = 4;
        await using var cluster = await JobCluster.CreateAsync(fixture, output, new Dictionary<string, string?> { ["Datasets__BlobListPageSize"] = "40" }, proxy.ConnectionString);
        var scheduler = await cluster.StartSchedulerAsync();
        await cluster.StartWorkerAsync();
        await cluster.StartWorkerAsync();
        var jobId = await cluster.SubmitAsync(fixture.Dataset);

        var listing = await cluster.WaitAsync(jobId, p => p.Total >= 100 && p.Done > 0, TimeSpan.FromMinutes(5), "listing under way with outcomes stored");
        Assert.False(listing.TotalFinal, "the listing finished although the proxy held it");
        var sinceKill = Stopwatch.StartNew();
        scheduler.Kill();
        await scheduler.WaitForExitAsync(TestContext.Current.CancellationToken);
        proxy.ResumeListing();
        await cluster.StartSchedulerAsync();
        await cluster.TimeToProgressAsync(jobId, (await cluster.TryProgressAsync(jobId))!.Done);
        var recovery = sinceKill.Elapsed;
        var final = await cluster.WaitFinalAsync(jobId);

        Assert.Equal("succeeded", final.State);
        var counts = await JobAudit.RunAsync(cluster, fixture.Dataset, jobId, final, complete: true);
        output.WriteLine(ReliabilityReport.Add("4. kill -9 the scheduler while listing, restart", counts, final.State, recovery,
            $"killed with {listing.Total} of {fixture.Dataset.Count} files listed; the restarted scheduler resumed listing after the stored manifest"));
    }

    [Fact]
    public async Task Scenario_09_SIGTERM_a_busy_worker_drains_and_exits_0()
    {
        fixture.Require();
        const int grace = 30;
        await using var cluster = await JobCluster.CreateAsync(fixture, output, new Dictionary<string, string?> { ["Worker__ShutdownTimeoutSeconds"] = $"{grace}" });
        var stopping = (await cluster.StartAsync())[0];
        var jobId = await cluster.SubmitAsync(fixture.Dataset);

        await cluster.WaitForAFifthAsync(jobId, fixture.Dataset);
        var drain = Stopwatch.StartNew();
        stopping.Terminate();
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken))
        {
            // Generous: the worker bounds its own drain by Worker:ShutdownTimeoutSeconds.
            timeout.CancelAfter(TimeSpan.FromSeconds(grace * 3));
            await stopping.WaitForExitAsync(timeout.Token);
        }
        drain.Stop();
        Assert.Equal(0, stopping.ExitCode);
        Assert.Contains("Stored batch", stopping.Log, StringComparison.Ordinal);
        var final = await cluster.WaitFinalAsync(jobId);

        Assert.Equal("succeeded", final.State);
        var counts = await JobAudit.RunAsync(cluster, fixture.Dataset, jobId, final, complete: true);
        output.WriteLine(ReliabilityReport.Add("9. SIGTERM a busy worker", counts, final.State, drain.Elapsed,
            $"exit code 0 after {drain.Elapsed.TotalSeconds:0.0} s (grace {grace} s); the other worker finished the job"));
    }

    [Fact]
    public async Task Scenario_13_a_frozen_worker_loses_its_batch_when_its_heartbeats_stop_and_is_harmless_when_thawed()
    {
        fixture.Require();
        // SIGSTOP keeps the worker's connections open, so the broker never redelivers its message: only the
        // lease, no longer renewed by heartbeats, tells the scheduler the batch must go out again.
        const int lease = 6;
        await using var cluster = await JobCluster.CreateAsync(fixture, output, new Dictionary<string, string?> { ["Scheduler__LeaseSeconds"] = $"{lease}" });
        var victim = (await cluster.StartAsync())[0];
        var victimName = $"{Environment.MachineName}:{victim.Id}";
        var jobId = await cluster.SubmitAsync(fixture.Dataset);
        await cluster.WaitForAFifthAsync(jobId, fixture.Dataset);

        var (frozen, sinceFreeze) = await FreezeInABatchAsync(cluster, jobId, victim, victimName);
        var redone = await WaitBatchAsync(cluster, jobId, frozen.Index, b => b.State == "Completed", TimeSpan.FromMinutes(3), "the frozen batch completed by the other worker");
        var recovery = sinceFreeze.Elapsed;
        var stillFrozen = !victim.HasExited;
        victim.Thaw();
        var final = await cluster.WaitFinalAsync(jobId);

        Assert.True(stillFrozen, "the frozen worker exited");
        Assert.Equal(frozen.Dispatches + 1, redone.Dispatches);
        Assert.NotEqual(victimName, redone.Worker);
        Assert.Equal("succeeded", final.State);
        var counts = await JobAudit.RunAsync(cluster, fixture.Dataset, jobId, final, complete: true);
        Assert.False(victim.HasExited, "the thawed worker crashed on finding its batch done by another");
        output.WriteLine(ReliabilityReport.Add("13. SIGSTOP a worker mid-batch (lease 6 s), SIGCONT later", counts, final.State, recovery,
            $"batch {frozen.Index} re-dispatched once its heartbeats stopped and completed by the other worker {recovery.TotalSeconds:0.0} s after the freeze; the thawed worker's late write changed nothing"));
    }

    /// <summary>
    /// Freezes <paramref name="victim"/> just after it starts a batch of the job (far from its write, so the
    /// frozen process holds no row lock the others need); returns the batch and a clock started at the freeze.
    /// </summary>
    private static async Task<(BatchRow Batch, Stopwatch SinceFreeze)> FreezeInABatchAsync(JobCluster cluster, Guid jobId, AppProcess victim, string victimName)
    {
        var seen = (await cluster.BatchesAsync(jobId)).Where(b => b.Worker == victimName).Select(b => b.Index).ToHashSet();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            var fresh = (await cluster.BatchesAsync(jobId)).FirstOrDefault(b => b.Worker == victimName && b.State == "Started" && !seen.Contains(b.Index));
            if (fresh is null)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
                continue;
            }
            victim.Freeze();
            var sinceFreeze = Stopwatch.StartNew();
            if ((await cluster.BatchesAsync(jobId)).Single(b => b.Index == fresh.Index) is { State: "Started" } still && still.Worker == victimName)
            {
                return (still, sinceFreeze);
            }
            // It finished the batch between the read and the signal: try the next one.
            victim.Thaw();
            seen.Add(fresh.Index);
        }
        throw new TimeoutException($"worker {victimName} started no new batch of job {jobId} within 2 minutes");
    }

    private static async Task<BatchRow> WaitBatchAsync(JobCluster cluster, Guid jobId, int index, Func<BatchRow, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        BatchRow? last = null;
        while (clock.Elapsed < timeout)
        {
            last = (await cluster.BatchesAsync(jobId)).Single(b => b.Index == index);
            if (condition(last))
            {
                return last;
            }
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"Waited {timeout} for {what}; last seen: {last}");
    }
}
