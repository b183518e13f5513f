using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Search;

/// <summary>
/// Exact cosine nearest neighbours by a streaming scan (SQLite has no vector index): embeddings are
/// read one at a time and only the best <c>k</c> are kept, so memory stays at O(k) whatever the job size.
/// </summary>
internal static class BruteForceNearest
{
    public static async Task<List<(long ImageId, double Distance)>> FindAsync(DlaDbContext db, Guid jobId, float[] query, int k, CancellationToken cancellationToken)
    {
        var queryNorm = Norm(query);
        // A max-heap on distance: the root is the worst of the best k so far.
        var best = new PriorityQueue<long, double>(Comparer<double>.Create((a, b) => b.CompareTo(a)));
        var rows = db.Results.AsNoTracking().Where(r => r.JobId == jobId && r.Embedding != null)
            .Select(r => new { r.ImageId, r.Embedding }).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            var distance = CosineDistance(query, queryNorm, row.Embedding!);
            if (best.Count < k)
            {
                best.Enqueue(row.ImageId, distance);
            }
            else if (best.TryPeek(out _, out var worst) && distance < worst)
            {
                best.DequeueEnqueue(row.ImageId, distance);
            }
        }
        var hits = new List<(long, double)>(best.Count);
        while (best.TryDequeue(out var id, out var distance))
        {
            hits.Add((id, distance));
        }
        hits.Reverse();
        return hits;
    }

    /// <summary>1 − cos θ, as pgvector's <c>&lt;=&gt;</c>; vectors of another length or zero norm are as far as can be.</summary>
    private static double CosineDistance(float[] query, double queryNorm, float[] candidate)
    {
        if (candidate.Length != query.Length)
        {
            return 2;
        }
        double dot = 0;
        for (var i = 0; i < query.Length; i++)
        {
            dot += (double)query[i] * candidate[i];
        }
        var norms = queryNorm * Norm(candidate);
        return norms == 0 ? 2 : 1 - dot / norms;
    }

    private static double Norm(float[] vector)
    {
        double sum = 0;
        foreach (var v in vector)
        {
            sum += (double)v * v;
        }
        return Math.Sqrt(sum);
    }
}
