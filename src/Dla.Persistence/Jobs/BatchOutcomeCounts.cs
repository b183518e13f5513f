using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;

namespace Dla.Persistence.Jobs;

/// <summary>
/// Each batch's outcome counts (<see cref="Batch.SucceededImages"/>, <see cref="Batch.FailedImages"/>): of the images the
/// manifest puts in the batch, those with a result, and those with an error and no result (the same definition as
/// <see cref="JobOutcomes"/>). Recounted from the rows, never incremented, by whoever changes them, in the same transaction:
/// the result writers for the batches holding the images they store, "retry failed" for the batches it moves images
/// out of. A running job's counts are then the sums over its batches (O(batches) rows), not a count of its results
/// (O(images): 0.1 s at a million, on every progress read).
/// <para>Recounting rather than adding makes a redelivery, an error that later succeeds or a late copy of a batch
/// count exactly once. On PostgreSQL a writer locks the batches first (<see cref="LockSql"/>), so its recount, a later
/// statement, sees what a concurrent writer of the same batch committed; SQLite has one writer at a time.</para>
/// </summary>
public static class BatchOutcomeCounts
{
    // Correlated on the batch row being updated, so one statement recounts any set of batches.
    private const string Counts = """
        succeeded_images = (SELECT count(*) FROM images i JOIN results r ON r.job_id = i.job_id AND r.image_id = i.image_id
                            WHERE i.job_id = batches.job_id AND i.batch_index = batches.batch_index),
        failed_images = (SELECT count(*) FROM images i JOIN image_errors e ON e.job_id = i.job_id AND e.image_id = i.image_id
                         WHERE i.job_id = batches.job_id AND i.batch_index = batches.batch_index
                           AND NOT EXISTS (SELECT 1 FROM results r WHERE r.job_id = e.job_id AND r.image_id = e.image_id))
        """;

    /// <summary>
    /// Recounts the batches of job <paramref name="job"/> whose indexes <paramref name="batches"/> selects (a list or a
    /// subquery); both are SQL placeholders or expressions of the caller's provider.
    /// </summary>
    public static string RecountSql(string job, string batches) =>
        $"UPDATE batches SET {Counts} WHERE job_id = {job} AND batch_index IN ({batches})";

    /// <summary>
    /// The batches a result writer recounts: the one it stores (<paramref name="batch"/>) and those holding the images
    /// it stores (<paramref name="images"/>: a list or subquery of image ids). They differ only when "retry failed"
    /// moved images out of a batch whose late copy is being stored.
    /// </summary>
    public static string WrittenBatchesSql(string job, string batch, string images) =>
        $"SELECT {batch} UNION SELECT batch_index FROM images WHERE job_id = {job} AND image_id IN ({images})";

    /// <summary>PostgreSQL: locks the batches <paramref name="batches"/> selects, in index order, until the transaction ends.</summary>
    public static string LockSql(string job, string batches) =>
        $"SELECT batch_index FROM batches WHERE job_id = {job} AND batch_index IN ({batches}) ORDER BY batch_index FOR UPDATE";

    /// <summary>Recounts <paramref name="batchIndexes"/> of <paramref name="jobId"/> through EF (callers outside a result writer).</summary>
    public static Task<int> RecountAsync(DlaDbContext db, Guid jobId, IEnumerable<int> batchIndexes, CancellationToken cancellationToken)
    {
        var indexes = string.Join(", ", batchIndexes.Distinct());
        // Integers, formatted here, are safe to inline; the job id is a parameter.
        return indexes.Length == 0 ? Task.FromResult(0) : db.Database.ExecuteSqlRawAsync(RecountSql("{0}", indexes), [jobId], cancellationToken);
    }

    /// <summary>A job's counts now: the sums over its batches.</summary>
    public static async Task<(long Succeeded, long Failed)> SumAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken)
    {
        var sums = await db.Batches.Where(b => b.JobId == jobId).GroupBy(b => b.JobId)
            .Select(g => new { Succeeded = g.Sum(b => (long)b.SucceededImages), Failed = g.Sum(b => (long)b.FailedImages) })
            .FirstOrDefaultAsync(cancellationToken);
        return sums is null ? (0, 0) : (sums.Succeeded, sums.Failed);
    }
}
