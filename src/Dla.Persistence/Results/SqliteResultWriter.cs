using System.Data.Common;
using System.Text.Json;
using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Dla.Persistence.Jobs;


namespace Dla.Persistence.Results;

/// <summary>
/// The SQLite <see cref="IResultWriter"/> (embedded mode): prepared <c>INSERT ... ON CONFLICT</c>
/// statements, one row at a time, in one transaction. Values are stored as
/// <see cref="SqliteDlaDbContext"/> maps them: ids as uppercase text, timestamps as binary
/// <see cref="DateTimeOffset"/> ticks, embeddings as float32 blobs. Rows carry
/// <see cref="BatchOutcome.JobId"/> and the commit's timestamp; the batches holding the images are recounted
/// (<see cref="BatchOutcomeCounts"/>) in the same transaction.
/// </summary>
/// <param name="contexts">The SQLite context factory registered by <c>AddDlaDatabase</c>.</param>
public sealed class SqliteResultWriter(IDbContextFactory<SqliteDlaDbContext> contexts) : IResultWriter
{
    private static readonly DateTimeOffsetToBinaryConverter Ticks = new();

    private const string UpsertResult = """
        INSERT INTO results (job_id, image_id, top1_index, top1_label, top1_probability, top_k, embedding, created_at)
        VALUES ($job, $image, $index, $label, $probability, $topk, $embedding, $now)
        ON CONFLICT (job_id, image_id) DO UPDATE SET
            top1_index = excluded.top1_index, top1_label = excluded.top1_label, top1_probability = excluded.top1_probability,
            top_k = excluded.top_k, embedding = excluded.embedding, created_at = excluded.created_at;
        DELETE FROM image_errors WHERE job_id = $job AND image_id = $image
        """;

    // An error never replaces a result, including one stored by an earlier delivery.
    private const string UpsertError = """
        INSERT INTO image_errors (job_id, image_id, kind, message, created_at)
        SELECT $job, $image, $kind, $message, $now
        WHERE NOT EXISTS (SELECT 1 FROM results WHERE job_id = $job AND image_id = $image)
        ON CONFLICT (job_id, image_id) DO UPDATE SET kind = excluded.kind, message = excluded.message, created_at = excluded.created_at
        """;

    private static readonly string CompleteBatch = BatchTransitions.CompleteSql("$job", "$batch", "$now");

    // $images: the written image ids as a JSON array.
    private static readonly string RecountBatches = BatchOutcomeCounts.RecountSql("$job",
        BatchOutcomeCounts.WrittenBatchesSql("$job", "$batch", "SELECT value FROM json_each($images)"));

    // SQLite serialises writers, so checking the job inside the write transaction is the fence (see IResultWriter).
    // It also reads how the job stores embeddings: an fp16 job's are rounded to float16, as PostgreSQL's halfvec would.
    private static readonly string JobAcceptsResults = $"""
        SELECT embedding_precision FROM jobs WHERE id = $job AND state NOT IN ({JobStates.NoMoreResultsSql})
        """;

    /// <inheritdoc />
    public async Task<bool> WriteAsync(BatchOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var job = SqliteDlaDbContext.ToText(outcome.JobId);
        var now = Ticks.ConvertToProvider(DateTimeOffset.UtcNow)!;
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        // Opened through EF Core, so the connection gets the job database's settings (SqliteBusyTimeout).
        await context.Database.OpenConnectionAsync(cancellationToken);
        var connection = context.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        string precision;
        await using (var fence = Command(connection, transaction, JobAcceptsResults, job, now))
        {
            if (await fence.ExecuteScalarAsync(cancellationToken) is not string stored)
            {
                return false;
            }
            precision = stored;
        }
        await using (var command = Command(connection, transaction, UpsertResult, job, now, "$image", "$index", "$label", "$probability", "$topk", "$embedding"))
        {
            foreach (var result in outcome.Results)
            {
                Set(command, result.ImageId, result.Top1Index, result.Top1Label, result.Top1Probability, result.TopKJson,
                    result.Embedding is null ? null : SqliteDlaDbContext.ToBytes(InPrecision(result.Embedding, precision)));
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await using (var command = Command(connection, transaction, UpsertError, job, now, "$image", "$kind", "$message"))
        {
            foreach (var error in outcome.Errors)
            {
                Set(command, error.ImageId, error.Kind, error.Message);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await using (var command = Command(connection, transaction, CompleteBatch, job, now, "$batch"))
        {
            Set(command, outcome.BatchIndex);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var command = Command(connection, transaction, RecountBatches, job, now, "$batch", "$images"))
        {
            Set(command, outcome.BatchIndex, JsonSerializer.Serialize(outcome.Results.Select(r => r.ImageId).Concat(outcome.Errors.Select(e => e.ImageId))));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>A command with <c>$job</c> and <c>$now</c> bound and the given per-row parameters declared.</summary>
    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, string job, object now, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in new[] { ("$job", (object)job), ("$now", now) }.Concat(parameters.Select(p => (p, (object)DBNull.Value))))
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>Binds the per-row parameters, which follow <c>$job</c> and <c>$now</c> in declaration order.</summary>
    private static void Set(DbCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i + 2].Value = values[i] ?? DBNull.Value;
        }
    }

    /// <summary>The values as the job stores them: float16-rounded for an fp16 job (a copy; the outcome is not changed).</summary>
    private static float[] InPrecision(float[] embedding, string precision)
    {
        if (precision != EmbeddingPrecisions.Fp16)
        {
            return embedding;
        }
        var rounded = (float[])embedding.Clone();
        HalfVectors.Round(rounded);
        return rounded;
    }
}
