using System.Diagnostics;

namespace Dla.Integration.Tests.Reliability;

/// <summary>Scenarios 1, 4 and 9: workers and the scheduler killed or stopped in the middle of a job.</summary>
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
        // Slow, small listing pages keep the scheduler listing for ~10 s while the first batches run.
        proxy.ListingLatency = TimeSpan.FromMilliseconds(800);
        await using var cluster = await JobCluster.CreateAsync(fixture, output, new Dictionary<string, string?> { ["Datasets__BlobListPageSize"] = "40" }, proxy.ConnectionString);
        var scheduler = await cluster.StartSchedulerAsync();
        await cluster.StartWorkerAsync();
        await cluster.StartWorkerAsync();
        var jobId = await cluster.SubmitAsync(fixture.Dataset);

        var listing = await cluster.WaitAsync(jobId, p => p.Total >= 100 && p.Done > 0, TimeSpan.FromMinutes(5), "listing under way with outcomes stored");
        Assert.False(listing.TotalFinal, "the scheduler finished listing before it could be killed; slow the listing down");
        var sinceKill = Stopwatch.StartNew();
        scheduler.Kill();
        await scheduler.WaitForExitAsync(TestContext.Current.CancellationToken);
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
}
