using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Dla.Scheduler.Planning;

/// <summary>
/// Appends a chunk of a job's manifest and its batches, and advances the job's counters, in one
/// transaction: after a crash the stored counters say exactly where listing resumes. Manifest rows
/// go through binary COPY on PostgreSQL (the bulk of planning) and EF inserts on SQLite.
/// </summary>
internal static class ManifestStore
{
    public static async Task AppendAsync(DlaDbContext db, Guid jobId, IReadOnlyList<ManifestImage> images, IReadOnlyList<Batch> batches, bool listingComplete, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (images.Count > 0 && db.IsPostgres)
        {
            await CopyAsync((NpgsqlConnection)db.Database.GetDbConnection(), images, cancellationToken);
        }
        else
        {
            db.Images.AddRange(images);
        }
        db.Batches.AddRange(batches);
        await db.SaveChangesAsync(cancellationToken);
        var listed = images.Count > 0 ? images[^1].ImageId + 1 : (long?)null;
        var planned = batches.Count > 0 ? batches[^1].BatchIndex + 1 : (int?)null;
        await db.Jobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.ListedImages, j => listed ?? j.ListedImages)
            .SetProperty(j => j.PlannedBatches, j => planned ?? j.PlannedBatches)
            .SetProperty(j => j.ListingComplete, listingComplete), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<ManifestImage> images, CancellationToken cancellationToken)
    {
        await using var import = await connection.BeginBinaryImportAsync(
            """COPY images (job_id, image_id, path, batch_index) FROM STDIN (FORMAT BINARY)""", cancellationToken);
        foreach (var image in images)
        {
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(image.JobId, NpgsqlDbType.Uuid, cancellationToken);
            await import.WriteAsync(image.ImageId, NpgsqlDbType.Bigint, cancellationToken);
            await import.WriteAsync(image.Path, NpgsqlDbType.Text, cancellationToken);
            await import.WriteAsync(image.BatchIndex, NpgsqlDbType.Integer, cancellationToken);
        }
        await import.CompleteAsync(cancellationToken);
    }
}
