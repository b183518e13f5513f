using Npgsql;
using NpgsqlTypes;
using Pgvector;
using Dla.Persistence.Jobs;

namespace Dla.Persistence.Results;

/// <summary>
/// The PostgreSQL <see cref="IResultWriter"/>, all in one transaction. Results go in by binary
/// <c>COPY</c>: straight into <c>results</c> when none of the batch's images has a result yet (the
/// first delivery, nearly always), otherwise into a temporary staging table and from there by a
/// set-based upsert (a redelivery). Errors go through staging and are stored only for images without a
/// result. The batches holding the images are recounted (<see cref="BatchOutcomeCounts"/>) in the same transaction.
/// Rows carry <see cref="BatchOutcome.JobId"/> and the commit's timestamp; embeddings go in as
/// pgvector values, into the column sized to them, or the halfvec column for an fp16 job (<see cref="EmbeddingColumns"/>).
/// </summary>
/// <param name="dataSource">The data source registered by <c>AddDlaDatabase</c> (pgvector mapping enabled).</param>
public sealed class PostgresResultWriter(NpgsqlDataSource dataSource) : IResultWriter
{
    // The fence (see IResultWriter): a stop (UPDATE of the job row) waits for this lock, or this waits for the stop.
    // It also reads how the job stores embeddings, so every row of a job has the job's precision.
    private static readonly string LockRunningJob = $"""
        SELECT embedding_precision FROM jobs WHERE id = $1 AND state NOT IN ({JobStates.NoMoreResultsSql}) FOR SHARE
        """;

    private const string AnyResultStored = """
        SELECT EXISTS (SELECT 1 FROM results WHERE job_id = $1 AND image_id = ANY($2))
        """;

    // The job id and timestamp are constant per batch, so staging carries only per-image columns.
    private const string CreateResultsStaging = """
        CREATE TEMP TABLE results_staging (image_id bigint, top1_index integer, top1_label text, top1_probability real, top_k jsonb, embedding vector) ON COMMIT DROP
        """;

    // Embeddings of 512 floats (2 KiB) pass the TOAST threshold; staging rows live for one statement,
    // and keeping them inline doubled the COPY's speed. Larger ones stay out of line so a row always fits a page.
    private const string InlineStagedEmbeddings = """;ALTER TABLE results_staging ALTER COLUMN embedding SET STORAGE PLAIN""";

    private const int InlineEmbeddingMaxDims = 1536;

    private const string CreateErrorsStaging = """
        CREATE TEMP TABLE errors_staging (image_id bigint, kind text, message text) ON COMMIT DROP
        """;

    private const string CopyResultsToStaging = """COPY results_staging (image_id, top1_index, top1_label, top1_probability, top_k, embedding) FROM STDIN (FORMAT BINARY)""";

    private const string CopyErrorsToStaging = """COPY errors_staging (image_id, kind, message) FROM STDIN (FORMAT BINARY)""";

    // Per embedding column (EmbeddingColumns): the batch's embeddings go to the column of their size.
    private static readonly Dictionary<string, string> CopyResultsInto = EmbeddingColumns.All.ToDictionary(column => column, column =>
        $"""COPY results (job_id, image_id, top1_index, top1_label, top1_probability, top_k, "{column}", created_at) FROM STDIN (FORMAT BINARY)""");

    // Staging holds float32 vectors; the halfvec column takes them through pgvector's cast (round to nearest).
    private static readonly Dictionary<string, string> UpsertResultsInto = EmbeddingColumns.All.ToDictionary(column => column, column => $"""
        INSERT INTO results (job_id, image_id, top1_index, top1_label, top1_probability, top_k, "{column}", created_at)
        SELECT $1, image_id, top1_index, top1_label, top1_probability, top_k, embedding{(column == EmbeddingColumns.Half ? "::halfvec" : "")}, $2 FROM results_staging
        ON CONFLICT (job_id, image_id) DO UPDATE SET
            top1_index = EXCLUDED.top1_index, top1_label = EXCLUDED.top1_label, top1_probability = EXCLUDED.top1_probability,
            top_k = EXCLUDED.top_k, "{column}" = EXCLUDED."{column}", created_at = EXCLUDED.created_at
        """);

    private const string DeleteResolvedErrors = """
        DELETE FROM image_errors WHERE job_id = $1 AND image_id = ANY($2)
        """;

    // An error never replaces a result, including one stored by an earlier delivery.
    private const string UpsertErrors = """
        INSERT INTO image_errors (job_id, image_id, kind, message, created_at)
        SELECT $1, s.image_id, s.kind, s.message, $2 FROM errors_staging s
        WHERE NOT EXISTS (SELECT 1 FROM results r WHERE r.job_id = $1 AND r.image_id = s.image_id)
        ON CONFLICT (job_id, image_id) DO UPDATE SET kind = EXCLUDED.kind, message = EXCLUDED.message, created_at = EXCLUDED.created_at
        """;

    private static readonly string CompleteBatch = BatchTransitions.CompleteSql("$1", "$2", "$3");

    // $1 the job, $2 the batch, $3 every image id written. The lock comes first and the recount is a later statement, so
    // the recount sees what a concurrent writer of the same batch committed (BatchOutcomeCounts).
    private static readonly string WrittenBatches = BatchOutcomeCounts.WrittenBatchesSql("$1", "$2", "SELECT unnest($3::bigint[])");

    private static readonly string LockWrittenBatches = BatchOutcomeCounts.LockSql("$1", WrittenBatches);

    private static readonly string RecountWrittenBatches = BatchOutcomeCounts.RecountSql("$1", WrittenBatches);

    /// <inheritdoc />
    public async Task<bool> WriteAsync(BatchOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        try
        {
            return await WriteAsync(outcome, copyDirectlyWhenNew: true, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another delivery of the batch committed its results between our check and our COPY.
            return await WriteAsync(outcome, copyDirectlyWhenNew: false, cancellationToken);
        }
    }

    private async Task<bool> WriteAsync(BatchOutcome outcome, bool copyDirectlyWhenNew, CancellationToken cancellationToken)
    {
        var imageIds = outcome.Results.Select(r => r.ImageId).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await ScalarAsync(connection, transaction, LockRunningJob, cancellationToken, outcome.JobId) is not string precision)
        {
            return false;
        }
        var column = EmbeddingColumn(outcome, precision);
        // Taken after the lock, so rows of a later write never carry an earlier timestamp.
        var now = DateTimeOffset.UtcNow;
        var upsert = imageIds.Length > 0
            && (!copyDirectlyWhenNew || (bool)(await ScalarAsync(connection, transaction, AnyResultStored, cancellationToken, outcome.JobId, imageIds))!);
        await using (var commands = new NpgsqlBatch(connection, transaction))
        {
            if (imageIds.Length > 0)
            {
                if (upsert)
                {
                    var inline = outcome.Results.All(r => r.Embedding is null || r.Embedding.Length <= InlineEmbeddingMaxDims);
                    await ExecuteAsync(connection, transaction, inline ? CreateResultsStaging + InlineStagedEmbeddings : CreateResultsStaging, cancellationToken);
                    await CopyResultsAsync(connection, CopyResultsToStaging, outcome.Results, batchColumns: null, half: false, cancellationToken);
                    commands.BatchCommands.Add(Command(UpsertResultsInto[column], outcome.JobId, now));
                }
                else
                {
                    await CopyResultsAsync(connection, CopyResultsInto[column], outcome.Results, (outcome.JobId, now), column == EmbeddingColumns.Half, cancellationToken);
                }
                commands.BatchCommands.Add(Command(DeleteResolvedErrors, outcome.JobId, imageIds));
            }
            if (outcome.Errors.Count > 0)
            {
                await ExecuteAsync(connection, transaction, CreateErrorsStaging, cancellationToken);
                await CopyErrorsAsync(connection, outcome.Errors, cancellationToken);
                commands.BatchCommands.Add(Command(UpsertErrors, outcome.JobId, now));
            }
            var written = imageIds.Concat(outcome.Errors.Select(e => e.ImageId)).ToArray();
            commands.BatchCommands.Add(Command(LockWrittenBatches, outcome.JobId, outcome.BatchIndex, written));
            commands.BatchCommands.Add(Command(CompleteBatch, outcome.JobId, outcome.BatchIndex, now));
            commands.BatchCommands.Add(Command(RecountWrittenBatches, outcome.JobId, outcome.BatchIndex, written));
            await commands.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The column for the batch's embeddings; one model made them all, so they share a size.</summary>
    private static string EmbeddingColumn(BatchOutcome outcome, string precision)
    {
        if (precision == EmbeddingPrecisions.Fp16)
        {
            return EmbeddingColumns.Half;
        }
        var sizes = outcome.Results.Where(r => r.Embedding is not null).Select(r => r.Embedding!.Length).Distinct().ToList();
        return sizes.Count switch
        {
            0 => EmbeddingColumns.AnySize,
            1 => EmbeddingColumns.For(sizes[0]),
            _ => throw new ArgumentException($"Batch {outcome.BatchIndex} of job {outcome.JobId} has embeddings of sizes {string.Join(", ", sizes)}; one model makes one size.", nameof(outcome)),
        };
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        AddParameters(command.Parameters, values);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        AddParameters(command.Parameters, values);
        return command;
    }

    /// <summary>Positional parameters (<c>$1</c>, <c>$2</c>, ...) in order.</summary>
    private static void AddParameters(NpgsqlParameterCollection parameters, object[] values)
    {
        foreach (var value in values)
        {
            parameters.Add(new NpgsqlParameter { Value = value });
        }
    }

    // batchColumns: the job id and timestamp around each row when copying into results itself; null into staging.
    // half: the embeddings go in as halfvec values (into the fp16 column).
    private static async Task CopyResultsAsync(NpgsqlConnection connection, string copy, IReadOnlyList<ImageResult> results,
        (Guid JobId, DateTimeOffset CreatedAt)? batchColumns, bool half, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken);
        foreach (var result in results)
        {
            await importer.StartRowAsync(cancellationToken);
            if (batchColumns is { } job)
            {
                await importer.WriteAsync(job.JobId, NpgsqlDbType.Uuid, cancellationToken);
            }
            await importer.WriteAsync(result.ImageId, NpgsqlDbType.Bigint, cancellationToken);
            await WriteOrNullAsync(importer, result.Top1Index, NpgsqlDbType.Integer, cancellationToken);
            await WriteOrNullAsync(importer, result.Top1Label, NpgsqlDbType.Text, cancellationToken);
            await WriteOrNullAsync(importer, result.Top1Probability, NpgsqlDbType.Real, cancellationToken);
            await WriteOrNullAsync(importer, result.TopKJson, NpgsqlDbType.Jsonb, cancellationToken);
            if (result.Embedding is { } embedding && half)
            {
                await importer.WriteAsync(HalfVectors.Of(embedding), "halfvec", cancellationToken);
            }
            else if (result.Embedding is { } single)
            {
                await importer.WriteAsync(new Vector(single), "vector", cancellationToken);
            }
            else
            {
                await importer.WriteNullAsync(cancellationToken);
            }
            if (batchColumns is { } stamp)
            {
                await importer.WriteAsync(stamp.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            }
        }
        await importer.CompleteAsync(cancellationToken);
    }

    private static async Task CopyErrorsAsync(NpgsqlConnection connection, IReadOnlyList<ImageError> errors, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(CopyErrorsToStaging, cancellationToken);
        foreach (var error in errors)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(error.ImageId, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(error.Kind, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(error.Message, NpgsqlDbType.Text, cancellationToken);
        }
        await importer.CompleteAsync(cancellationToken);
    }

    private static Task WriteOrNullAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken) where T : struct =>
        value is { } v ? importer.WriteAsync(v, type, cancellationToken) : importer.WriteNullAsync(cancellationToken);

    private static Task WriteOrNullAsync(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is not null ? importer.WriteAsync(value, type, cancellationToken) : importer.WriteNullAsync(cancellationToken);
}
