namespace Dla.Scheduler.Browsing;

/// <summary>A request for one page of the results grid (<c>GET /jobs/{id}/results/browse</c>).</summary>
/// <param name="Order">The keyset order.</param>
/// <param name="After">Start after this row (null: the first page).</param>
/// <param name="Label">Only images whose top-1 label is exactly this.</param>
/// <param name="MinProbability">Only images whose top-1 probability is at least this.</param>
/// <param name="MaxProbability">Only images whose top-1 probability is at most this.</param>
/// <param name="Limit">Rows per page.</param>
public sealed record ResultQuery(ResultOrder Order, ResultCursor? After, string? Label, float? MinProbability, float? MaxProbability, int Limit);

/// <summary>One page of the grid; <see cref="Next"/> is the cursor of the following page, null on the last one.</summary>
public sealed record BrowsePage(IReadOnlyList<BrowseItem> Items, string? Next);

/// <summary>One image of the grid: its top-1 label and probability (null for embedding-only jobs).</summary>
public sealed record BrowseItem(long ImageId, string Path, string? Label, float? Probability);
