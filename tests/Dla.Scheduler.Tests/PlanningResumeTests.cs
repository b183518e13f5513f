using Dla.Contracts;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Tests.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Tests;

/// <summary>A scheduler that stopped mid-listing resumes at start-up: nothing planned twice, nothing lost.</summary>
public sealed class PlanningResumeTests : IDisposable
{
    private readonly TestDataset _dataset = new(images: 103);

    public void Dispose() => _dataset.Dispose();

    [Fact]
    public async Task An_interrupted_listing_resumes_after_the_last_stored_image()
    {
        var jobId = await InterruptedJobAsync(storedImages: 20, lastPathOverride: null);

        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);

        var job = await Eventually.HoldsAsync(() => host.JobAsync(jobId), j => j.ListingComplete, "the resumed listing to complete");
        Assert.Equal((103L, 11), (job.ListedImages, job.PlannedBatches));
        var manifest = await host.ManifestAsync(jobId);
        Assert.Equal(_dataset.ListingOrder, manifest.Select(i => i.Path));
        Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), manifest.Select(i => i.ImageId));
        var batches = await host.BatchesAsync(jobId);
        Assert.Equal([.. Enumerable.Repeat(10, 10), 3], batches.Select(b => b.ImageCount));
        Assert.Equal(11, (await host.AllBatchesReceivedAsync(jobId, 11)).Count);
    }

    [Fact]
    public async Task A_dataset_that_changed_under_an_interrupted_listing_fails_the_job_with_the_reason()
    {
        var jobId = await InterruptedJobAsync(storedImages: 20, lastPathOverride: "f0/vanished.jpg");

        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);

        var job = await host.JobReachesAsync(jobId, JobState.Failed);
        Assert.Contains("The dataset changed while it was being planned", job.FailureReason, StringComparison.Ordinal);
    }

    /// <summary>Migrates a fresh database (by starting a scheduler once) and stores a job as a crash mid-listing leaves it.</summary>
    private async Task<Guid> InterruptedJobAsync(int storedImages, string? lastPathOverride)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await (await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root)).DisposeAsync();
        var jobId = Guid.NewGuid();
        await using var db = new SqliteDlaDbContext(new DbContextOptionsBuilder<SqliteDlaDbContext>().UseSqlite($"Data Source={_dataset.SqliteFile}").Options);
        db.Jobs.Add(new Job
        {
            Id = jobId, Dataset = _dataset.Root, Model = "dla34", Tasks = JobTasks.Classify, BatchSize = 10, State = JobState.Running,
            ListedImages = storedImages, PlannedBatches = storedImages / 10, CreatedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow,
        });
        var paths = _dataset.ListingOrder;
        for (var i = 0; i < storedImages; i++)
        {
            var path = i == storedImages - 1 && lastPathOverride is not null ? lastPathOverride : paths[i];
            db.Images.Add(new ManifestImage { JobId = jobId, ImageId = i, Path = path, BatchIndex = i / 10 });
        }
        for (var b = 0; b < storedImages / 10; b++)
        {
            db.Batches.Add(new Batch { JobId = jobId, BatchIndex = b, ImageCount = 10 });
        }
        await db.SaveChangesAsync(cancellationToken);
        return jobId;
    }
}
