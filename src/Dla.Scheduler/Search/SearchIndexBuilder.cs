using System.Threading.Channels;
using Dla.Persistence.Database;
using Dla.Persistence.Results;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Search;

/// <summary>
/// Builds the pgvector HNSW index of a finished job's embeddings, in the background and after the job
/// finished (an index maintained during the bulk load would slow every write). One partial index per
/// job, covering only its rows, on the column sized to its embeddings (or on a cast of the any-size
/// column, or of the halfvec column for an fp16 job; see <see cref="EmbeddingColumns"/>). A no-op on SQLite.
/// </summary>
public sealed partial class SearchIndexBuilder(IDlaDbContextFactory databases, ILogger<SearchIndexBuilder> logger) : BackgroundService
{
    /// <summary>Index builds over millions of rows take minutes; the default command timeout would abort them.</summary>
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromHours(2);

    // Column names are constants; the job id is a parameter.
    private static readonly string StoredDimensionSql =
        $$"""SELECT vector_dims({{EmbeddingColumns.Coalesced}}) AS "Value" FROM results WHERE job_id = {0} AND {{EmbeddingColumns.Coalesced}} IS NOT NULL LIMIT 1""";

    private readonly Channel<Guid> _requests = Channel.CreateUnbounded<Guid>();

    /// <summary>The name of a job's index.</summary>
    public static string IndexName(Guid jobId) => $"ix_results_embedding_{jobId:N}";

    /// <summary>Asks for the job's index to be built.</summary>
    public void Enqueue(Guid jobId) => _requests.Writer.TryWrite(jobId);

    /// <summary>
    /// Creates the job's index unless it exists; returns the embedding dimension, or null when the job
    /// has no embeddings (or on SQLite, which searches by brute force).
    /// </summary>
    public async Task<int?> EnsureIndexAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        if (!db.IsPostgres || await EmbeddingDimensionAsync(db, jobId, cancellationToken) is not { } dimension)
        {
            return null;
        }
        var precision = await db.Jobs.Where(j => j.Id == jobId).Select(j => j.EmbeddingPrecision).FirstAsync(cancellationToken);
        db.Database.SetCommandTimeout(BuildTimeout);
        // DDL takes no parameters; the id is a Guid, the dimension an int and the precision one of two constants, so all are safe literals.
        var ddl = $"""CREATE INDEX IF NOT EXISTS "{IndexName(jobId)}" ON results USING hnsw ({EmbeddingColumns.IndexExpression(dimension, precision)} {EmbeddingColumns.CosineOperatorClass(precision)}) WHERE job_id = '{jobId}'""";
        await db.Database.ExecuteSqlRawAsync(ddl, cancellationToken);
        return dimension;
    }

    /// <summary>The job's embedding size: recorded on the job, or read off a stored embedding.</summary>
    public static async Task<int?> EmbeddingDimensionAsync(DlaDbContext db, Guid jobId, CancellationToken cancellationToken)
    {
        var recorded = await db.Jobs.Where(j => j.Id == jobId).Select(j => j.EmbeddingDim).FirstOrDefaultAsync(cancellationToken);
        if (recorded is not null || !db.IsPostgres)
        {
            return recorded;
        }
        return await db.Database
            .SqlQueryRaw<int>(StoredDimensionSql, jobId)
            .Select(d => (int?)d).FirstOrDefaultAsync(cancellationToken);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var jobId in _requests.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await EnsureIndexAsync(jobId, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Search still works without the index (exact scan), and builds it on demand.
                    LogBuildFailed(ex, jobId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; search builds a missing index on demand.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Building the search index of job {JobId} failed")]
    private partial void LogBuildFailed(Exception exception, Guid jobId);
}
