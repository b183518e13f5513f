namespace Dla.Scheduler.Search;

/// <summary>One neighbour: a manifest image and its cosine distance (0 = same direction, 2 = opposite) to the query.</summary>
public sealed record SearchHit(long ImageId, string Path, double Distance);

/// <summary>The answer of a similarity search.</summary>
/// <param name="JobId">The job searched.</param>
/// <param name="Query">The query image's path, or <c>upload</c>.</param>
/// <param name="K">Neighbours asked for.</param>
/// <param name="Hits">Nearest first; the query image itself is left out.</param>
public sealed record SearchResult(Guid JobId, string Query, int K, IReadOnlyList<SearchHit> Hits);

/// <summary>A search by an image already in the job (<c>POST /jobs/{id}/search</c> with JSON).</summary>
/// <param name="ImagePath">Path of the image relative to the dataset, as listed.</param>
/// <param name="K">Neighbours wanted, 1 to 1000.</param>
public sealed record SearchRequest(string? ImagePath, int K = 10);
