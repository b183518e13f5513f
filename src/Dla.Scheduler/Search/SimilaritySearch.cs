using Dla.Contracts;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Persistence.Results;
using Dla.Scheduler.Jobs;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pgvector;

namespace Dla.Scheduler.Search;

/// <summary>
/// k nearest images of a job by cosine distance of their embeddings: pgvector's <c>&lt;=&gt;</c> on
/// PostgreSQL (through the job's HNSW index once the job finished), an exact in-memory scan on SQLite.
/// </summary>
public sealed class SimilaritySearch(IDlaDbContextFactory databases, SearchIndexBuilder indexes, QueryEmbedder embedder, NpgsqlDataSource? dataSource = null)
{
    /// <summary>Most neighbours one search returns.</summary>
    public const int MaxK = 1000;

    /// <summary>Neighbours of an image of the job, found by its path.</summary>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    /// <exception cref="JobValidationException">Bad k, or no such image in the job.</exception>
    /// <exception cref="JobStateException">The job has no embeddings, or the image none yet.</exception>
    public async Task<SearchResult> ByImagePathAsync(Guid jobId, string? imagePath, int k, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        var job = await SearchableJobAsync(db, jobId, k, cancellationToken);
        if (string.IsNullOrEmpty(imagePath))
        {
            throw Invalid("image_path", "Give image_path (a path in the dataset) or upload an image.");
        }
        var imageId = await db.Images.Where(i => i.JobId == jobId && i.Path == imagePath).Select(i => (long?)i.ImageId).FirstOrDefaultAsync(cancellationToken)
            ?? throw new ImageNotFoundException(jobId, imagePath);
        var embedding = await db.Results.Where(r => r.JobId == jobId && r.ImageId == imageId).Select(r => r.Embedding).FirstOrDefaultAsync(cancellationToken)
            ?? throw new JobStateException($"'{imagePath}' has no embedding yet: the job has not processed it, or it failed (GET /jobs/{jobId}/errors lists why). Search again once it has a result, or search by another image.");
        return new SearchResult(jobId, imagePath, k, await NearestAsync(db, job, embedding, k, imageId, cancellationToken));
    }

    /// <summary>Neighbours of an uploaded image, embedded with the job's model.</summary>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    /// <exception cref="JobValidationException">Bad k, or the upload is not a decodable image.</exception>
    /// <exception cref="JobStateException">The job has no embeddings.</exception>
    public async Task<SearchResult> ByUploadAsync(Guid jobId, byte[] image, int k, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        var job = await SearchableJobAsync(db, jobId, k, cancellationToken);
        var embedding = await embedder.EmbedAsync(job.ModelSpec(), image, cancellationToken);
        return new SearchResult(jobId, "upload", k, await NearestAsync(db, job, embedding, k, null, cancellationToken));
    }

    private static async Task<Job> SearchableJobAsync(DlaDbContext db, Guid jobId, int k, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken) ?? throw new JobNotFoundException(jobId);
        if (k is < 1 or > MaxK)
        {
            throw Invalid("k", $"Must be between 1 and {MaxK}.");
        }
        return job.Tasks.HasFlag(JobTasks.Embed) ? job : throw new JobStateException($"Job {jobId} does not compute embeddings (tasks: classify only). To search the dataset, submit it again with tasks [\"classify\", \"embed\"].");
    }

    private async Task<IReadOnlyList<SearchHit>> NearestAsync(DlaDbContext db, Job job, float[] query, int k, long? exclude, CancellationToken cancellationToken)
    {
        var nearest = db.IsPostgres
            ? await PostgresNearestAsync(job, query, k + 1, cancellationToken)
            : await BruteForceNearest.FindAsync(db, job.Id, query, k + 1, cancellationToken);
        var kept = nearest.Where(n => n.ImageId != exclude).Take(k).ToList();
        var ids = kept.Select(n => n.ImageId).ToList();
        var paths = await db.Images.Where(i => i.JobId == job.Id && ids.Contains(i.ImageId)).ToDictionaryAsync(i => i.ImageId, i => i.Path, cancellationToken);
        return kept.Select(n => new SearchHit(n.ImageId, paths[n.ImageId], n.Distance)).ToList();
    }

    private async Task<List<(long ImageId, double Distance)>> PostgresNearestAsync(Job job, float[] query, int limit, CancellationToken cancellationToken)
    {
        if (job.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled)
        {
            // Normally built when the job finished; this covers a restart in between.
            await indexes.EnsureIndexAsync(job.Id, cancellationToken);
        }
        await using var connection = await dataSource!.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // ef_search bounds how many candidates the index yields.
        await using (var ef = new NpgsqlCommand($"SET LOCAL hnsw.ef_search = {Math.Max(40, limit)}", connection, transaction))
        {
            await ef.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var command = new NpgsqlCommand(NearestSql(job.Id, query.Length, job.EmbeddingPrecision), connection, transaction);
        command.Parameters.AddWithValue("query", job.EmbeddingPrecision == EmbeddingPrecisions.Fp16 ? HalfVectors.Of(query) : new Vector(query));
        command.Parameters.AddWithValue("limit", limit);
        var hits = new List<(long, double)>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            hits.Add((reader.GetInt64(0), reader.GetDouble(1)));
        }
        return hits;
    }

    /// <summary>
    /// The k-nearest query (parameters <c>@query</c>, a <c>vector</c>, or a <c>halfvec</c> for an fp16 job, and
    /// <c>@limit</c>). It repeats the job index's expression and predicate, with the job id as a literal, so the
    /// planner can use the partial HNSW index.
    /// </summary>
    public static string NearestSql(Guid jobId, int dimension, string precision)
    {
        var embedding = EmbeddingColumns.IndexExpression(dimension, precision);
        return $"""
            SELECT image_id, {embedding} <=> @query AS distance
            FROM results
            WHERE job_id = '{jobId}' AND {embedding} IS NOT NULL
            ORDER BY {embedding} <=> @query
            LIMIT @limit
            """;
    }

    private static JobValidationException Invalid(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}
