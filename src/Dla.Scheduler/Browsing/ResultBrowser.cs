using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Browsing;

/// <summary>
/// Reads the results grid a page at a time by keyset, never by offset, so page 10,000 of a 10⁶-image job costs
/// what page 1 does: image order walks the primary key (job, image); the probability orders walk the index
/// (job, top-1 probability, image), with the label filter on the index (job, top-1 label, top-1 probability, image).
/// </summary>
public static class ResultBrowser
{
    /// <summary>Largest page.</summary>
    public const int MaxLimit = 500;

    /// <summary>The page <paramref name="query"/> asks for, with the paths of its images.</summary>
    public static async Task<BrowsePage> ReadAsync(DlaDbContext db, Guid jobId, ResultQuery query, CancellationToken cancellationToken)
    {
        var results = db.Results.AsNoTracking().Where(r => r.JobId == jobId);
        if (query.Label is { } label)
        {
            results = results.Where(r => r.Top1Label == label);
        }
        if (query.MinProbability is { } min)
        {
            results = results.Where(r => r.Top1Probability >= min);
        }
        if (query.MaxProbability is { } max)
        {
            results = results.Where(r => r.Top1Probability <= max);
        }
        var after = query.After;
        // The keyset condition (p, id) > (p₀, id₀) is written as p ≥ p₀ AND (p > p₀ OR id > id₀): the first term is a
        // range on the index's second column, so the scan starts at the cursor. Written as the plain OR alone, the
        // planner could only filter the job's rows: 400–540 ms for the page half-way through 10⁶ rows.
        var ordered = query.Order switch
        {
            ResultOrder.Probability => (after is null ? results : results.Where(r => r.Top1Probability >= after.Probability
                    && (r.Top1Probability > after.Probability || r.ImageId > after.ImageId)))
                .OrderBy(r => r.Top1Probability).ThenBy(r => r.ImageId),
            ResultOrder.ProbabilityDesc => (after is null ? results : results.Where(r => r.Top1Probability <= after.Probability
                    && (r.Top1Probability < after.Probability || r.ImageId < after.ImageId)))
                .OrderByDescending(r => r.Top1Probability).ThenByDescending(r => r.ImageId),
            _ => (after is null ? results : results.Where(r => r.ImageId > after.ImageId)).OrderBy(r => r.ImageId),
        };
        // One row more than the page says whether another page follows.
        var rows = await ordered.Take(query.Limit + 1)
            .Select(r => new { r.ImageId, r.Top1Label, r.Top1Probability })
            .ToListAsync(cancellationToken);
        var page = rows.Take(query.Limit).ToList();
        var ids = page.Select(r => r.ImageId).ToList();
        var paths = await db.Images.AsNoTracking().Where(i => i.JobId == jobId && ids.Contains(i.ImageId))
            .ToDictionaryAsync(i => i.ImageId, i => i.Path, cancellationToken);
        var items = page.Select(r => new BrowseItem(r.ImageId, paths.GetValueOrDefault(r.ImageId, ""), r.Top1Label, r.Top1Probability)).ToList();
        var last = page.LastOrDefault();
        var next = rows.Count > query.Limit && last is not null ? ResultCursor.Of(query.Order, last.Top1Probability, last.ImageId) : null;
        return new BrowsePage(items, next);
    }
}
