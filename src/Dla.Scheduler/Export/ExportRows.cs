using System.Runtime.CompilerServices;
using System.Text.Json;
using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Export;

/// <summary>
/// Reads a job's manifest with its outcomes in manifest order, a page at a time (manifest ids are
/// contiguous from 0, so a page is an id range), for exports of any size in constant memory.
/// </summary>
public static class ExportRows
{
    /// <summary>Manifest images read per query.</summary>
    public const int PageSize = 1000;

    private static readonly JsonSerializerOptions TopKJson = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Streams every manifest image of the job with its outcome.</summary>
    public static async IAsyncEnumerable<ExportRow> ReadAllAsync(IDlaDbContextFactory databases, Guid jobId, bool withEmbeddings, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        for (long from = 0; ; from += PageSize)
        {
            var page = await ReadRangeAsync(db, jobId, from, PageSize, withEmbeddings, cancellationToken);
            foreach (var row in page)
            {
                yield return row;
            }
            if (page.Count < PageSize)
            {
                yield break;
            }
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>The manifest images with ids in [<paramref name="from"/>, <paramref name="from"/> + <paramref name="count"/>).</summary>
    public static async Task<List<ExportRow>> ReadRangeAsync(DlaDbContext db, Guid jobId, long from, int count, bool withEmbeddings, CancellationToken cancellationToken)
    {
        var to = from + count;
        var images = await db.Images.AsNoTracking().Where(i => i.JobId == jobId && i.ImageId >= from && i.ImageId < to)
            .OrderBy(i => i.ImageId).Select(i => new { i.ImageId, i.Path }).ToListAsync(cancellationToken);
        var inRange = db.Results.AsNoTracking().Where(r => r.JobId == jobId && r.ImageId >= from && r.ImageId < to);
        // Embeddings are the bulk of a row; leave them in the database when they are not wanted.
        var results = await (withEmbeddings
                ? inRange.Select(r => new Outcome(r.ImageId, r.TopKJson, r.Embedding))
                : inRange.Select(r => new Outcome(r.ImageId, r.TopKJson, null)))
            .ToDictionaryAsync(r => r.ImageId, cancellationToken);
        var errors = await db.Errors.AsNoTracking().Where(e => e.JobId == jobId && e.ImageId >= from && e.ImageId < to)
            .ToDictionaryAsync(e => e.ImageId, e => new ExportError(e.Kind, e.Message), cancellationToken);
        return images.Select(i => results.TryGetValue(i.ImageId, out var result)
                ? new ExportRow(i.ImageId, i.Path, ParseTopK(result.TopKJson), result.Embedding, null)
                : new ExportRow(i.ImageId, i.Path, null, null,
                    errors.GetValueOrDefault(i.ImageId) ?? new ExportError(ExportRow.NotProcessed, "No outcome: the image is queued, its batch failed, or the job was cancelled.")))
            .ToList();
    }

    private sealed record Outcome(long ImageId, string? TopKJson, float[]? Embedding);

    private static List<ExportClass>? ParseTopK(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<List<ExportClass>>(json, TopKJson);
}
