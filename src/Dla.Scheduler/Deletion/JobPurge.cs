using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Search;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Deletion;

/// <summary>
/// Removes a deleting job's rows: its search index, then results, errors, manifest and batches in chunks of
/// <see cref="DeletionOptions.PurgeChunkRows"/> (each a short transaction on this job's rows only), and the job
/// row last. Idempotent: a purge stopped by a crash or a change of leader continues where it stopped.
/// </summary>
public static class JobPurge
{
    /// <summary>Rows removed per table, for the log.</summary>
    public sealed record Removed(long Results, long Errors, long Images, long Batches);

    /// <summary>Purges <paramref name="jobId"/>, which must be <see cref="JobState.Deleting"/> (anything else is left alone).</summary>
    public static async Task<Removed?> RunAsync(DlaDbContext db, Guid jobId, int chunk, CancellationToken cancellationToken)
    {
        if (!await db.Jobs.AnyAsync(j => j.Id == jobId && j.State == JobState.Deleting, cancellationToken))
        {
            return null;
        }
        if (db.IsPostgres)
        {
            // CONCURRENTLY: a plain DROP INDEX would lock the whole results table, and with it every job's writers.
            // DDL takes no parameters; the name is built from a Guid, so it is a safe identifier.
            var drop = $"""DROP INDEX CONCURRENTLY IF EXISTS "{SearchIndexBuilder.IndexName(jobId)}" """;
            await db.Database.ExecuteSqlRawAsync(drop, cancellationToken);
        }
        var removed = new Removed(
            await InChunksAsync(() => db.Results.Where(r => r.JobId == jobId).OrderBy(r => r.ImageId).Take(chunk).ExecuteDeleteAsync(cancellationToken)),
            await InChunksAsync(() => db.Errors.Where(e => e.JobId == jobId).OrderBy(e => e.ImageId).Take(chunk).ExecuteDeleteAsync(cancellationToken)),
            await InChunksAsync(() => db.Images.Where(i => i.JobId == jobId).OrderBy(i => i.ImageId).Take(chunk).ExecuteDeleteAsync(cancellationToken)),
            await InChunksAsync(() => db.Batches.Where(b => b.JobId == jobId).OrderBy(b => b.BatchIndex).Take(chunk).ExecuteDeleteAsync(cancellationToken)));
        await db.Jobs.Where(j => j.Id == jobId && j.State == JobState.Deleting).ExecuteDeleteAsync(cancellationToken);
        return removed;
    }

    private static async Task<long> InChunksAsync(Func<Task<int>> deleteChunk)
    {
        long total = 0;
        int removed;
        do
        {
            removed = await deleteChunk();
            total += removed;
        }
        while (removed > 0);
        return total;
    }
}
