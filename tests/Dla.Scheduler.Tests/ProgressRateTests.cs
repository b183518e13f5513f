using Dla.Persistence.Jobs;
using Dla.Scheduler.Progress;
using Dla.Scheduler.Tests.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Dla.Scheduler.Tests;

/// <summary>
/// <see cref="ProgressReport.ImagesPerSecond"/> counts the images of the batches completed in the last minute (or since
/// the job started), from the batch table, while the outcome counts stay exact, from the results and errors.
/// </summary>
public sealed class ProgressRateTests : IDisposable
{
    private readonly TestDataset _dataset = new(images: 50);
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose() => _dataset.Dispose();

    [Fact]
    public async Task The_rate_counts_the_images_of_batches_completed_in_the_window_and_the_counts_stay_exact()
    {
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 10 });
        var batches = await host.AllBatchesReceivedAsync(jobId, 5);
        foreach (var batch in batches.Take(3))
        {
            // Batch 2's images fail, to show that the rate counts every image processed, not only results.
            var errors = batch.BatchIndex == 2 ? batch.Images.ToDictionary(i => i.ImageId, _ => "unreadable") : null;
            await host.Worker.ProcessAsync(batch, errors, publish: false);
        }
        var now = DateTimeOffset.UtcNow.AddHours(1);
        await using var db = await host.Databases.CreateAsync(_ct);
        // The job started ten minutes before "now"; batch 0 completed before the last minute, batches 1 and 2 within it.
        await db.Jobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.StartedAt, now.AddMinutes(-10)), _ct);
        await db.Batches.Where(b => b.JobId == jobId && b.BatchIndex == 0).ExecuteUpdateAsync(s => s.SetProperty(b => b.CompletedAt, now.AddMinutes(-2)), _ct);
        await db.Batches.Where(b => b.JobId == jobId && b.BatchIndex > 0).ExecuteUpdateAsync(s => s.SetProperty(b => b.CompletedAt, now.AddSeconds(-10)), _ct);
        var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId, _ct);

        var report = await new ProgressReader(new FakeTimeProvider(now)).ReadAsync(db, job, _ct);

        Assert.Equal(JobState.Running, report.State);
        Assert.Equal((20L, 10L, 20L), (report.Succeeded, report.Failed, report.Remaining));
        Assert.Equal(20 / 60.0, report.ImagesPerSecond, 6);
        Assert.Equal(20 / (20 / 60.0), report.EtaSeconds!.Value, 6);

        // A job that started 30 s ago is measured over those 30 s, and one that has just started has no rate yet.
        var recent = await new ProgressReader(new FakeTimeProvider(now)).ReadAsync(db, Started(job, now.AddSeconds(-30)), _ct);
        Assert.Equal(20 / 30.0, recent.ImagesPerSecond, 6);
        var starting = await new ProgressReader(new FakeTimeProvider(now)).ReadAsync(db, Started(job, now.AddMilliseconds(-500)), _ct);
        Assert.Equal(0, starting.ImagesPerSecond);
        Assert.Null(starting.EtaSeconds);
    }

    private static Job Started(Job job, DateTimeOffset at)
    {
        job.StartedAt = at;
        return job;
    }
}
