using System.Text.Json;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Export;
using Dla.Scheduler.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Browsing;

/// <summary>
/// What the console's job page summarises beyond progress: errors by kind with examples, batches by state,
/// throughput over time, and one image's outcome. Read-only; each is a few indexed queries.
/// </summary>
public static class JobInsights
{
    /// <summary>Example files shown per error kind.</summary>
    public const int ExamplesPerKind = 5;

    /// <summary>Most buckets of the throughput series.</summary>
    public const int MaxBuckets = 120;

    private static readonly JsonSerializerOptions TopKJson = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The job's failed images counted by kind (most frequent first), each with a few example files.</summary>
    public static async Task<IReadOnlyList<ErrorKindSummary>> ErrorsAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken)
    {
        // An image that later succeeded may briefly keep its error row; it is not a failure (as in ProgressReader).
        var failed = db.Errors.AsNoTracking().Where(e => e.JobId == jobId && !db.Results.Any(r => r.JobId == e.JobId && r.ImageId == e.ImageId));
        var counts = await failed.GroupBy(e => e.Kind).Select(g => new { Kind = g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);
        var summaries = new List<ErrorKindSummary>();
        foreach (var kind in counts.OrderByDescending(c => c.Count).ThenBy(c => c.Kind, StringComparer.Ordinal))
        {
            var examples = await failed.Where(e => e.Kind == kind.Kind).OrderBy(e => e.ImageId).Take(ExamplesPerKind)
                .Join(db.Images.Where(i => i.JobId == jobId), e => e.ImageId, i => i.ImageId, (e, i) => new ErrorExample(e.ImageId, i.Path, e.Message))
                .ToListAsync(cancellationToken);
            summaries.Add(new ErrorKindSummary(kind.Kind, kind.Count, examples));
        }
        return summaries;
    }

    /// <summary>The job's batches counted by state (every state present, zero where none).</summary>
    public static async Task<IReadOnlyDictionary<string, int>> BatchesAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken)
    {
        var counts = await db.Batches.AsNoTracking().Where(b => b.JobId == jobId).GroupBy(b => b.State)
            .Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        return Enum.GetValues<BatchState>().ToDictionary(
            s => JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString()),
            s => counts.FirstOrDefault(c => c.State == s)?.Count ?? 0);
    }

    /// <summary>
    /// Images finished per second over the job's run, from its completed batches (one row per batch, not per image:
    /// a 10⁶-image job of 32-image batches reads 31,250 timestamps), in at most <see cref="MaxBuckets"/> equal buckets.
    /// </summary>
    public static async Task<Throughput> ThroughputAsync(DlaDbContext db, Job job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var completed = await db.Batches.AsNoTracking().Where(b => b.JobId == job.Id && b.State == BatchState.Completed && b.CompletedAt != null)
            .Select(b => new { b.CompletedAt, b.ImageCount }).ToListAsync(cancellationToken);
        var start = job.StartedAt ?? completed.Select(c => c.CompletedAt!.Value).DefaultIfEmpty(now).Min();
        var end = job.FinishedAt ?? now;
        if (completed.Count == 0 || end <= start)
        {
            return new Throughput(start, 1, []);
        }
        var span = (end - start).TotalSeconds;
        // Whole seconds per bucket, at least one, so short jobs get a readable step and long ones at most MaxBuckets points.
        var seconds = Math.Max(1, (int)Math.Ceiling(span / MaxBuckets));
        var buckets = new double[(int)Math.Ceiling(span / seconds) + 1];
        foreach (var batch in completed)
        {
            var index = (int)Math.Clamp((batch.CompletedAt!.Value - start).TotalSeconds / seconds, 0, buckets.Length - 1);
            buckets[index] += batch.ImageCount;
        }
        return new Throughput(start, seconds, buckets.Select(b => b / seconds).ToList());
    }

    /// <summary>One image of the job: its path and outcome (top-k or error), without the embedding.</summary>
    /// <exception cref="ImageNotFoundException">The job's manifest has no such image.</exception>
    public static async Task<ImageDetail> ImageAsync(DlaDbContext db, Job job, long imageId, CancellationToken cancellationToken)
    {
        var jobId = job.Id;
        var path = await db.Images.AsNoTracking().Where(i => i.JobId == jobId && i.ImageId == imageId).Select(i => i.Path).FirstOrDefaultAsync(cancellationToken)
            ?? throw new ImageNotFoundException(jobId, $"#{imageId}");
        var result = await db.Results.AsNoTracking().Where(r => r.JobId == jobId && r.ImageId == imageId)
            .Select(r => new { r.TopKJson }).FirstOrDefaultAsync(cancellationToken);
        if (result is not null)
        {
            var topK = result.TopKJson is null ? null : JsonSerializer.Deserialize<List<ExportClass>>(result.TopKJson, TopKJson);
            // Every result of an embedding job carries its embedding (the embedding columns differ by provider and size).
            return new ImageDetail(imageId, path, topK, job.Tasks.HasFlag(Contracts.JobTasks.Embed), null);
        }
        var error = await db.Errors.AsNoTracking().Where(e => e.JobId == jobId && e.ImageId == imageId)
            .Select(e => new ExportError(e.Kind, e.Message)).FirstOrDefaultAsync(cancellationToken);
        return new ImageDetail(imageId, path, null, false, error ?? new ExportError(ExportRow.NotProcessed, "No outcome yet."));
    }
}

/// <summary>Failed images of one kind.</summary>
public sealed record ErrorKindSummary(string Kind, long Count, IReadOnlyList<ErrorExample> Examples);

/// <summary>One failed image: where it is and what the worker said.</summary>
public sealed record ErrorExample(long ImageId, string Path, string Message);

/// <summary>Images per second in consecutive buckets of <see cref="BucketSeconds"/> from <see cref="Start"/>.</summary>
public sealed record Throughput(DateTimeOffset Start, int BucketSeconds, IReadOnlyList<double> ImagesPerSecond);

/// <summary>An image's outcome: top-k (classification), whether it has an embedding (nearest neighbours), or its error.</summary>
public sealed record ImageDetail(long ImageId, string Path, IReadOnlyList<ExportClass>? TopK, bool HasEmbedding, ExportError? Error);
