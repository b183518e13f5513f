using System.Threading.Channels;
using Azure;
using Dla.Persistence.Database;
using Dla.Datasets;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Dispatch;
using Dla.Scheduler.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.Planning;

/// <summary>
/// Plans one job: lists its dataset and stores the manifest and its batches chunk by chunk while the
/// listing goes on, so the first batch can be dispatched within moments of submission however large
/// the dataset. Resumable: the stored counters say how many listed images are already stored, and
/// because the listing order is deterministic, a restart skips exactly those; nothing is planned twice
/// and nothing is lost.
/// </summary>
public sealed class JobPlanning(IDlaDbContextFactory databases, DatasetLister lister, IOptions<PlanningOptions> options, TimeProvider time, SchedulerMetrics metrics,
    DispatchSignal dispatchSignal)
{
    /// <summary>Longest a full batch waits in memory before it is stored, when chunks fill slowly.</summary>
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Jobs whose listing has not completed: planning resumes them at start-up.</summary>
    public async Task<IReadOnlyList<Guid>> UnfinishedJobsAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        return await db.Jobs.Where(j => !j.ListingComplete && (j.State == JobState.Pending || j.State == JobState.Running))
            .OrderBy(j => j.CreatedAt).Select(j => j.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Plans (or resumes planning) <paramref name="jobId"/>; returns when listing is complete, the job stopped, or it failed.</summary>
    public async Task PlanAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        if (job is null || job.ListingComplete || job.State is not (JobState.Pending or JobState.Running))
        {
            return;
        }
        var now = time.GetUtcNow();
        await JobTransitions.StartAsync(db, jobId, now, cancellationToken);
        string? failure;
        try
        {
            failure = await ListAndStoreAsync(db, job, cancellationToken);
        }
        catch (Exception ex) when (ex is DatasetAccessException or DirectoryNotFoundException or RequestFailedException or ArgumentException)
        {
            failure = $"Listing {job.Dataset} failed: {ex.Message}";
        }
        if (failure is not null)
        {
            await JobTransitions.FinishAsync(db, jobId, JobState.Failed, failure, time.GetUtcNow(), cancellationToken);
        }
    }

    /// <summary>Returns null on success, or why the job must fail.</summary>
    private async Task<string?> ListAndStoreAsync(DlaDbContext db, Job job, CancellationToken cancellationToken)
    {
        var resumeAfter = job.ListedImages == 0 ? null : await db.Images
            .Where(i => i.JobId == job.Id && i.ImageId == job.ListedImages - 1).Select(i => i.Path).FirstOrDefaultAsync(cancellationToken);
        var chunkImages = Math.Max(1, options.Value.ListingChunkSize / job.BatchSize) * job.BatchSize;
        using var listing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Listing (network-bound) runs ahead of storing (database-bound) through a bounded channel.
        var paths = Channel.CreateBounded<string>(new BoundedChannelOptions(chunkImages * 2) { SingleReader = true, SingleWriter = true });
        var producer = ProduceAsync(DatasetLocation.Parse(job.Dataset), paths.Writer, listing.Token);
        try
        {
            var pending = new List<ManifestImage>(chunkImages + job.BatchSize);
            var skipped = 0L;
            var nextImageId = job.ListedImages;
            var lastStore = (long?)null;
            await foreach (var path in paths.Reader.ReadAllAsync(cancellationToken))
            {
                if (skipped < job.ListedImages)
                {
                    skipped++;
                    if (skipped == job.ListedImages && !string.Equals(path, resumeAfter, StringComparison.Ordinal))
                    {
                        return $"The dataset changed while it was being planned: image {skipped - 1} was '{resumeAfter}' and is now '{path}'. Submit it again.";
                    }
                    continue;
                }
                // During listing batches are whole, so an image's batch follows from its position.
                pending.Add(new ManifestImage { JobId = job.Id, ImageId = nextImageId, Path = path, BatchIndex = (int)(nextImageId / job.BatchSize) });
                nextImageId++;
                var whole = pending.Count / job.BatchSize * job.BatchSize;
                if (whole > 0 && (pending.Count >= chunkImages || lastStore is null || time.GetElapsedTime(lastStore.Value) >= FlushInterval))
                {
                    await ManifestStore.AppendAsync(db, job.Id, pending[..whole], BatchesOf(pending[..whole]), listingComplete: false, cancellationToken);
                    dispatchSignal.Raise();
                    metrics.ImagesPlanned(whole);
                    pending.RemoveRange(0, whole);
                    lastStore = time.GetTimestamp();
                    if (!await IsStillRunningAsync(db, job.Id, cancellationToken))
                    {
                        return null;
                    }
                }
            }
            if (skipped < job.ListedImages)
            {
                return $"The dataset changed while it was being planned: it now lists {skipped} images, fewer than the {job.ListedImages} already planned. Submit it again.";
            }
            if (nextImageId == 0)
            {
                return $"No images found in {job.Dataset} (extensions kept: see Datasets:Extensions).";
            }
            await ManifestStore.AppendAsync(db, job.Id, pending, BatchesOf(pending), listingComplete: true, cancellationToken);
            dispatchSignal.Raise();
            metrics.ImagesPlanned(pending.Count);
            return null;
        }
        finally
        {
            await listing.CancelAsync();
            await producer;
        }
    }

    private async Task ProduceAsync(DatasetLocation location, ChannelWriter<string> writer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var path in lister.ListAsync(location, cancellationToken))
            {
                await writer.WriteAsync(path, cancellationToken);
            }
            writer.Complete();
        }
        catch (Exception ex)
        {
            // The reader rethrows it; when the reader stopped first this is just the cancellation.
            writer.TryComplete(ex);
        }
    }

    private static List<Batch> BatchesOf(List<ManifestImage> images) => images
        .GroupBy(i => i.BatchIndex)
        .Select(g => new Batch { JobId = g.First().JobId, BatchIndex = g.Key, ImageCount = g.Count(), State = BatchState.Planned })
        .ToList();

    private static async Task<bool> IsStillRunningAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken) =>
        await db.Jobs.AnyAsync(j => j.Id == jobId && j.State == JobState.Running, cancellationToken);
}
