using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dla.Contracts;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Integration.Tests.Reliability;

/// <summary>Scenarios 6 and 7: batches delivered more than once and at once, and a poison batch.</summary>
[Collection(ReliabilityCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class DeliveryScenarios(ReliabilityFixture fixture, ITestOutputHelper output)
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Scenario_06_the_same_batch_delivered_twice_and_processed_by_two_workers_at_once()
    {
        fixture.Require();
        // A short queue, so each batch's copies land right behind the original: the two workers take the
        // original and a copy together, and the same batch runs on both at once.
        await using var cluster = await JobCluster.CreateAsync(fixture, output, new Dictionary<string, string?> { ["Scheduler__MaxQueuedBatches"] = "4" });
        await cluster.StartAsync();
        var jobId = await cluster.SubmitAsync(fixture.Dataset);

        const int duplicated = 24;
        var copied = await CopyEachBatchAsItIsQueuedAsync(cluster, jobId, duplicated, copies: 2);
        var final = await cluster.WaitFinalAsync(jobId);
        await cluster.WaitQueueIdleAsync("process-image-batch");

        Assert.Equal("succeeded", final.State);
        Assert.Equal(duplicated, copied);
        var lines = cluster.LogLines($" of job {jobId}").ToList();
        var stored = lines.Where(l => l.Line.Contains("Stored batch", StringComparison.Ordinal))
            .Select(l => (l.Process, Batch: int.Parse(l.Line.Split("Stored batch ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        var skipped = lines.Count(l => l.Line.Contains("stale copy", StringComparison.Ordinal));
        var storedTwice = stored.GroupBy(s => s.Batch).Count(g => g.Count() > 1);
        var onBothWorkers = stored.GroupBy(s => s.Batch).Count(g => g.Select(s => s.Process).Distinct().Count() > 1);
        Assert.True(onBothWorkers > 0, "no batch was processed by both workers; the scenario did not exercise concurrent duplicates");
        var counts = await JobAudit.RunAsync(cluster, fixture.Dataset, jobId, final, complete: true);
        output.WriteLine(ReliabilityReport.Add("6. duplicate deliveries, same batch on two workers", counts, final.State, null,
            $"{copied} batches published 3 times: {stored.Count} deliveries stored for {(counts.Images + 7) / 8} batches, {storedTwice} batches stored more than once ({onBothWorkers} by both workers at once); {skipped} copies of finished batches skipped without work"));
    }

    [Fact]
    public async Task Scenario_07_a_poison_batch_reaches_the_error_queue_and_retry_failed_reprocesses_only_it()
    {
        fixture.Require();
        await using var proxy = await BlobFaultProxy.StartAsync(fixture.Services.Endpoints.BlobStorage, _ct);
        const string poison = "/set/photos/img_00100.jpg";
        proxy.AlwaysFail = path => path.EndsWith(poison, StringComparison.Ordinal);
        await using var cluster = await JobCluster.CreateAsync(fixture, output, new Dictionary<string, string?> { ["Worker__RetryCount"] = "1" }, proxy.ConnectionString);
        await cluster.StartAsync();
        var jobId = await cluster.SubmitAsync(fixture.Dataset);

        var failed = await cluster.WaitFinalAsync(jobId);
        Assert.Equal("failed", failed.State);
        Assert.Equal(1, failed.FailedBatches);
        Assert.Contains("1 batches failed", failed.FailureReason, StringComparison.Ordinal);
        Assert.True(await cluster.WaitQueueMessagesAsync("process-image-batch_error", atLeast: 1), "the poison batch is not in the error queue");
        var dispatchesBefore = await cluster.BatchDispatchesAsync(jobId);

        proxy.AlwaysFail = null;
        var retry = await cluster.Api.PostAsync($"jobs/{jobId}/retry-failed", null, _ct);
        var retried = (await retry.Content.ReadFromJsonAsync<JsonNode>(_ct))!;
        Assert.True(retry.IsSuccessStatusCode, retried.ToJsonString());
        var recovery = System.Diagnostics.Stopwatch.StartNew();
        var final = await cluster.WaitFinalAsync(jobId);
        recovery.Stop();

        Assert.Equal("succeeded", final.State);
        var dispatchesAfter = await cluster.BatchDispatchesAsync(jobId);
        var redispatched = dispatchesAfter.Where(b => b.Value != dispatchesBefore[b.Key]).Select(b => b.Key).ToList();
        Assert.Single(redispatched);
        var counts = await JobAudit.RunAsync(cluster, fixture.Dataset, jobId, final, complete: true);
        output.WriteLine(ReliabilityReport.Add("7. poison batch → error queue → retry-failed", counts, final.State, recovery.Elapsed,
            $"every read of {poison[5..]} failed: batch {redispatched[0]} failed after Worker:RetryCount=1, job failed; cause removed, retry-failed re-dispatched only batch {redispatched[0]}"));
    }

    /// <summary>
    /// Publishes <paramref name="copies"/> more copies of each batch (with its dispatch number) as soon as the scheduler
    /// has queued it, until <paramref name="batches"/> batches are copied or the job ends; returns how many were.
    /// </summary>
    private async Task<int> CopyEachBatchAsItIsQueuedAsync(JobCluster cluster, Guid jobId, int batches, int copies)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "postgres", ["ConnectionStrings:Postgres"] = cluster.Services.Postgres,
            ["Messaging:Transport"] = "rabbitmq", ["ConnectionStrings:RabbitMq"] = cluster.Services.RabbitMq,
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddDlaDatabase(configuration)
            .AddMassTransit(bus => bus.UsingDlaTransport(configuration)).BuildServiceProvider();
        var bus = services.GetRequiredService<IBusControl>();
        await bus.StartAsync(_ct);
        var copied = new HashSet<int>();
        try
        {
            var deadline = DateTime.UtcNow.AddMinutes(5);
            while (copied.Count < batches && DateTime.UtcNow < deadline)
            {
                await using var db = await services.GetRequiredService<IDlaDbContextFactory>().CreateAsync(_ct);
                var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId, _ct);
                if (job.State is not (JobState.Pending or JobState.Running))
                {
                    break;
                }
                var known = copied.ToList();
                var queued = await db.Batches.AsNoTracking()
                    .Where(b => b.JobId == jobId && b.State == BatchState.Queued && !known.Contains(b.BatchIndex)).ToListAsync(_ct);
                foreach (var batch in queued.Take(batches - copied.Count))
                {
                    var images = await db.Images.AsNoTracking().Where(i => i.JobId == jobId && i.BatchIndex == batch.BatchIndex).OrderBy(i => i.ImageId)
                        .Select(i => new ImageRef(i.ImageId, i.Path)).ToListAsync(_ct);
                    var message = new ProcessImageBatch(jobId, batch.BatchIndex, batch.Dispatches, job.Dataset, job.ModelSpec(), images, 60);
                    for (var copy = 0; copy < copies; copy++)
                    {
                        await bus.Publish(message, _ct);
                    }
                    copied.Add(batch.BatchIndex);
                }
                await Task.Delay(20, _ct);
            }
        }
        finally
        {
            await bus.StopAsync(_ct);
        }
        return copied.Count;
    }
}
