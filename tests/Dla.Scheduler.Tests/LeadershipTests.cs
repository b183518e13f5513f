using Dla.Testing;
using Dla.Contracts;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Leadership;
using Dla.Scheduler.Tests.Hosting;

namespace Dla.Scheduler.Tests;

/// <summary>
/// Two scheduler replicas on one PostgreSQL database and RabbitMQ virtual host: one leads (plans and
/// dispatches), either serves the API, and when the leader stops the other takes over.
/// </summary>
public sealed class LeadershipTests(RealServiceEnvironment services) : IClassFixture<RealServiceEnvironment>, IDisposable
{
    private readonly TestDataset _dataset = new(images: 45);

    public void Dispose() => _dataset.Dispose();

    [Fact]
    public async Task Two_replicas_elect_one_leader_that_dispatches_each_batch_once_and_the_other_takes_over_when_it_stops()
    {
        var first = await StartAsync();
        var second = await StartAsync();
        try
        {
            await Eventually.HoldsAsync(() => Task.FromResult((first.Leadership.IsLeader, second.Leadership.IsLeader)),
                l => l.Item1 ^ l.Item2, "exactly one replica to lead");
            var (leader, follower) = first.Leadership.IsLeader ? (first, second) : (second, first);
            // Held well past a follower's retry: it asks and is refused.
            await Task.Delay(SchedulerLeadership.RetryInterval * 2, TestContext.Current.CancellationToken);
            Assert.False(follower.Leadership.IsLeader);

            // Submitted through the follower's API: the leader discovers, plans and dispatches it.
            var jobId = await follower.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 10 });
            var received = await Eventually.HoldsAsync(() => Task.FromResult(Received(jobId, first, second)),
                b => b.DistinctBy(m => m.BatchIndex).Count() == 5, "5 batches to be dispatched");
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            received = Received(jobId, first, second);
            Assert.Equal([0, 1, 2, 3, 4], received.Select(b => b.BatchIndex).Order());
            Assert.All(received, b => Assert.Equal(1, b.Dispatch));
            foreach (var batch in received)
            {
                await follower.Worker.ProcessAsync(batch);
            }
            await follower.JobReachesAsync(jobId, JobState.Succeeded);

            await leader.DisposeAsync();
            await Eventually.HoldsAsync(() => Task.FromResult(follower.Leadership.IsLeader), l => l, "the other replica to take over");
            var next = await follower.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 15 });
            foreach (var batch in await follower.AllBatchesReceivedAsync(next, 3))
            {
                await follower.Worker.ProcessAsync(batch);
            }
            await follower.JobReachesAsync(next, JobState.Succeeded);
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }

    /// <summary>Both replicas' test consumers share the queue, so a batch reaches one or the other.</summary>
    private static List<ProcessImageBatch> Received(Guid jobId, SchedulerHost first, SchedulerHost second) =>
        [.. first.Recorder.For(jobId), .. second.Recorder.For(jobId)];

    private Task<SchedulerHost> StartAsync() => SchedulerHost.StartPostgresRabbitMqAsync(services, _dataset.Root);
}
