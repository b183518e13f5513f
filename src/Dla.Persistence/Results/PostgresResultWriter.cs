using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace Dla.Persistence.Results;

/// <summary>
/// The PostgreSQL <see cref="IResultWriter"/>: binary <c>COPY</c> of the batch into temporary staging
/// tables (dropped at commit), then set-based upserts from them, all in one transaction. Rows carry
/// <see cref="BatchOutcome.JobId"/> and the commit's timestamp; embeddings go in as pgvector values.
/// </summary>
/// <param name="dataSource">The data source registered by <c>AddDlaDatabase</c> (pgvector mapping enabled).</param>
public sealed class PostgresResultWriter(NpgsqlDataSource dataSource) : IResultWriter
{
    // The job id and timestamp are constant per batch, so staging carries only per-image columns.
    private const string CreateStaging = """
        CREATE TEMP TABLE results_staging ("ImageId" bigint, "Top1Index" integer, "Top1Label" text, "Top1Probability" real, "TopKJson" text, "Embedding" vector) ON COMMIT DROP;
        CREATE TEMP TABLE errors_staging ("ImageId" bigint, "Kind" text, "Message" text) ON COMMIT DROP
        """;

    // Embeddings of 512 floats (2 KiB) pass the TOAST threshold; staging rows live for one statement,
    // and keeping them inline doubled the COPY's speed. Larger ones stay out of line so a row always fits a page.
    private const string InlineEmbeddings = """;ALTER TABLE results_staging ALTER COLUMN "Embedding" SET STORAGE PLAIN""";

    private const int InlineEmbeddingMaxDims = 1536;

    private const string CopyResults = """COPY results_staging ("ImageId", "Top1Index", "Top1Label", "Top1Probability", "TopKJson", "Embedding") FROM STDIN (FORMAT BINARY)""";

    private const string CopyErrors = """COPY errors_staging ("ImageId", "Kind", "Message") FROM STDIN (FORMAT BINARY)""";

    private const string UpsertResults = """
        INSERT INTO results ("JobId", "ImageId", "Top1Index", "Top1Label", "Top1Probability", "TopKJson", "Embedding", "CreatedAt")
        SELECT $1, "ImageId", "Top1Index", "Top1Label", "Top1Probability", "TopKJson", "Embedding", $2 FROM results_staging
        ON CONFLICT ("JobId", "ImageId") DO UPDATE SET
            "Top1Index" = EXCLUDED."Top1Index", "Top1Label" = EXCLUDED."Top1Label", "Top1Probability" = EXCLUDED."Top1Probability",
            "TopKJson" = EXCLUDED."TopKJson", "Embedding" = EXCLUDED."Embedding", "CreatedAt" = EXCLUDED."CreatedAt"
        """;

    private const string DeleteResolvedErrors = """
        DELETE FROM image_errors e USING results_staging s WHERE e."JobId" = $1 AND e."ImageId" = s."ImageId"
        """;

    // An error never replaces a result, including one stored by an earlier delivery.
    private const string UpsertErrors = """
        INSERT INTO image_errors ("JobId", "ImageId", "Kind", "Message", "CreatedAt")
        SELECT $1, s."ImageId", s."Kind", s."Message", $2 FROM errors_staging s
        WHERE NOT EXISTS (SELECT 1 FROM results r WHERE r."JobId" = $1 AND r."ImageId" = s."ImageId")
        ON CONFLICT ("JobId", "ImageId") DO UPDATE SET "Kind" = EXCLUDED."Kind", "Message" = EXCLUDED."Message", "CreatedAt" = EXCLUDED."CreatedAt"
        """;

    private const string CompleteBatch = """
        UPDATE batches SET "State" = 'Completed', "CompletedAt" = $3 WHERE "JobId" = $1 AND "BatchIndex" = $2 AND "State" <> 'Completed'
        """;

    // The fence (see IResultWriter): a stop (UPDATE of the job row) waits for this lock, or this waits for the stop.
    private const string LockRunningJob = """
        SELECT 1 FROM jobs WHERE "Id" = $1 AND "State" NOT IN ('Cancelled', 'Failed') FOR SHARE
        """;

    /// <inheritdoc />
    public async Task<bool> WriteAsync(BatchOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var fence = new NpgsqlCommand(LockRunningJob, connection, transaction) { Parameters = { new() { Value = outcome.JobId } } })
        {
            if (await fence.ExecuteScalarAsync(cancellationToken) is null)
            {
                return false;
            }
        }
        // Taken after the lock, so rows of a later write never carry an earlier timestamp.
        var now = DateTimeOffset.UtcNow;
        var inline = outcome.Results.All(r => r.Embedding is null || r.Embedding.Length <= InlineEmbeddingMaxDims);
        await using (var create = new NpgsqlCommand(inline ? CreateStaging + InlineEmbeddings : CreateStaging, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        if (outcome.Results.Count > 0)
        {
            await CopyResultsAsync(connection, outcome.Results, cancellationToken);
        }
        if (outcome.Errors.Count > 0)
        {
            await CopyErrorsAsync(connection, outcome.Errors, cancellationToken);
        }
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Command(UpsertResults, outcome.JobId, now),
                Command(DeleteResolvedErrors, outcome.JobId),
                Command(UpsertErrors, outcome.JobId, now),
                Command(CompleteBatch, outcome.JobId, outcome.BatchIndex, now),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return command;
    }

    private static async Task CopyResultsAsync(NpgsqlConnection connection, IReadOnlyList<ImageResult> results, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(CopyResults, cancellationToken);
        foreach (var result in results)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(result.ImageId, NpgsqlDbType.Bigint, cancellationToken);
            await WriteOrNullAsync(importer, result.Top1Index, NpgsqlDbType.Integer, cancellationToken);
            await WriteOrNullAsync(importer, result.Top1Label, NpgsqlDbType.Text, cancellationToken);
            await WriteOrNullAsync(importer, result.Top1Probability, NpgsqlDbType.Real, cancellationToken);
            await WriteOrNullAsync(importer, result.TopKJson, NpgsqlDbType.Text, cancellationToken);
            if (result.Embedding is { } embedding)
            {
                await importer.WriteAsync(new Vector(embedding), "vector", cancellationToken);
            }
            else
            {
                await importer.WriteNullAsync(cancellationToken);
            }
        }
        await importer.CompleteAsync(cancellationToken);
    }

    private static async Task CopyErrorsAsync(NpgsqlConnection connection, IReadOnlyList<ImageError> errors, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(CopyErrors, cancellationToken);
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
