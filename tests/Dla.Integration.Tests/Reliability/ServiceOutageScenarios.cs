using System.Diagnostics;

namespace Dla.Integration.Tests.Reliability;

/// <summary>Scenarios 2, 3 and 5: the broker restarted, the database stopped, blob storage failing and slow.</summary>
[Collection(ReliabilityCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class ServiceOutageScenarios(ReliabilityFixture fixture, ITestOutputHelper output)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Scenario_02_restart_RabbitMQ_in_the_middle_of_a_job()
    {
        fixture.Require();
        await using var cluster = await JobCluster.CreateAsync(fixture, output);
        await cluster.StartAsync();
        var jobId = await cluster.SubmitAsync(fixture.Dataset);

        var before = await cluster.WaitForAFifthAsync(jobId, fixture.Dataset);
        var outage = Stopwatch.StartNew();
        await fixture.Services.RestartRabbitMqAsync(_ct);
        var down = outage.Elapsed;
        var recovery = await cluster.TimeToProgressAsync(jobId, (await cluster.TryProgressAsync(jobId))!.Done);
        var final = await cluster.WaitFinalAsync(jobId);

        Assert.Equal("succeeded", final.State);
        var counts = await JobAudit.RunAsync(cluster, fixture.Dataset, jobId, final, complete: true);
        output.WriteLine(ReliabilityReport.Add("2. restart RabbitMQ mid-job", counts, final.State, recovery,
            $"broker down for {down.TotalSeconds:0} s at {before.Done} outcomes; recovery from the broker's restart to the next outcome"));
    }

    [Fact]
    public async Task Scenario_03_stop_PostgreSQL_for_10_seconds_in_the_middle_of_a_job()
    {
        fixture.Require();
        await using var cluster = await JobCluster.CreateAsync(fixture, output);
        await cluster.StartAsync();
        var jobId = await cluster.SubmitAsync(fixture.Dataset);

        var before = await cluster.WaitForAFifthAsync(jobId, fixture.Dataset);
        await fixture.Services.StopPostgresAsync(_ct);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(10), _ct);
        }
        finally
        {
            await fixture.Services.StartPostgresAsync(_ct);
        }
        var recovery = await cluster.TimeToProgressAsync(jobId, before.Done);
        var final = await cluster.WaitFinalAsync(jobId);

        Assert.Equal("succeeded", final.State);
        var counts = await JobAudit.RunAsync(cluster, fixture.Dataset, jobId, final, complete: true);
        output.WriteLine(ReliabilityReport.Add("3. stop PostgreSQL for 10 s mid-job", counts, final.State, recovery,
            $"stopped at {before.Done} outcomes; batches that could not be stored were retried (Worker:RetryCount, exponential backoff)"));
    }

    [Fact]
    public async Task Scenario_05_blob_storage_failing_a_quarter_of_requests_and_answering_slowly()
    {
        fixture.Require();
        await using var proxy = await BlobFaultProxy.StartAsync(fixture.Services.Endpoints.BlobStorage, _ct);
        proxy.FailureRate = 0.25;
        proxy.Latency = TimeSpan.FromMilliseconds(40);
        await using var cluster = await JobCluster.CreateAsync(fixture, output, blobStorage: proxy.ConnectionString);
        await cluster.StartAsync();
        var clock = Stopwatch.StartNew();
        var jobId = await cluster.SubmitAsync(fixture.Dataset);
        var final = await cluster.WaitFinalAsync(jobId);

        Assert.Equal("succeeded", final.State);
        Assert.True(proxy.InjectedFailures > 0);
        var counts = await JobAudit.RunAsync(cluster, fixture.Dataset, jobId, final, complete: true);
        var retried = cluster.LogLines("R-RETRY").Count() + cluster.LogLines("retry").Count();
        output.WriteLine(ReliabilityReport.Add("5. blob storage: 25 % of requests fail (503), +40 ms each", counts, final.State, null,
            $"{proxy.InjectedFailures} of {proxy.Requests} requests failed on purpose; job took {clock.Elapsed.TotalSeconds:0} s; the blob client's retries and batch retries absorbed them"));
    }
}
