using Dla.Persistence.Jobs;

namespace Dla.Scheduler.Tests.Hosting;

/// <summary>Jobs run to success by the simulated worker, for tests about what stays behind (deletion, the SQL view).</summary>
internal static class FinishedJobs
{
    /// <summary>
    /// A succeeded job over a new folder of <paramref name="images"/> images in batches of 30, each with a 2-float
    /// embedding (<see cref="SearchTests.Angle"/>), image 0 failed as <c>unreadable</c>.
    /// </summary>
    public static async Task<Guid> RunAsync(SchedulerHost host, TestDataset dataset, int images = 60)
    {
        var folder = $"job-{Guid.NewGuid():N}";
        for (var i = 0; i < images; i++)
        {
            dataset.Add($"{folder}/img-{i:D3}.jpg");
        }
        var jobId = await host.SubmitAsync(new { dataset = Path.Combine(dataset.Root, folder), model = "dla34", batch_size = 30 });
        foreach (var batch in await host.AllBatchesReceivedAsync(jobId, (images + 29) / 30))
        {
            await host.Worker.ProcessAsync(batch, batch.BatchIndex == 0 ? new Dictionary<long, string> { [0] = "unreadable" } : null, SearchTests.Angle);
        }
        await host.JobReachesAsync(jobId, JobState.Succeeded);
        return jobId;
    }
}
