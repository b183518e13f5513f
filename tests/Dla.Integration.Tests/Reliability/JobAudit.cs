using Dla.Persistence.Database;
using System.Text.Json.Nodes;
using Dla.Persistence.Results;
using Npgsql;

namespace Dla.Integration.Tests.Reliability;

/// <summary>
/// The audit every scenario ends with, read straight from the job's database: each file of the
/// dataset is in the manifest exactly once, each image has exactly one outcome (a result or an
/// error row, never both), the job's counters equal the rows, and every result and error equals what
/// <c>dla predict</c> gives for the file, however many times it was processed.
/// </summary>
internal static class JobAudit
{
    /// <summary>Largest embedding difference accepted from the reference (batch composition may change ONNX Runtime's rounding).</summary>
    private const double EmbeddingTolerance = 1e-5;

    /// <summary>
    /// Audits <paramref name="jobId"/> and asserts. <paramref name="complete"/>: every image must have an
    /// outcome (false for jobs stopped on purpose, which may leave images without one).
    /// </summary>
    public static async Task<AuditCounts> RunAsync(JobCluster cluster, FaultDataset dataset, Guid jobId, Progress progress, bool complete)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = new NpgsqlConnection(PostgresDlaDbContext.WithSearchPath(cluster.Services.Postgres));
        await connection.OpenAsync(ct);
        var manifest = await ReadAsync(connection, jobId, """SELECT image_id, path, batch_index FROM images WHERE job_id = $1""",
            r => (Id: r.GetInt64(0), Path: r.GetString(1), Batch: r.GetInt32(2)), ct);
        var results = await ReadAsync(connection, jobId, $"""SELECT image_id, top_k, {EmbeddingColumns.Coalesced}::real[] FROM results WHERE job_id = $1""",
            r => (Id: r.GetInt64(0), TopK: r.GetString(1), Embedding: r.GetFieldValue<float[]>(2)), ct);
        var errors = await ReadAsync(connection, jobId, """SELECT image_id, kind FROM image_errors WHERE job_id = $1""",
            r => (Id: r.GetInt64(0), Kind: r.GetString(1)), ct);
        var batches = await ReadAsync(connection, jobId, """SELECT batch_index, image_count FROM batches WHERE job_id = $1""",
            r => (Index: r.GetInt32(0), Images: r.GetInt32(1)), ct);

        var paths = manifest.ToDictionary(m => m.Id, m => m.Path);
        var plannedTwice = manifest.Count - manifest.Select(m => m.Path).Distinct(StringComparer.Ordinal).Count();
        var notListed = dataset.Expected.Keys.Except(manifest.Select(m => m.Path), StringComparer.Ordinal).ToList();
        var unknown = manifest.Select(m => m.Path).Except(dataset.Expected.Keys, StringComparer.Ordinal).ToList();
        var both = results.Select(r => r.Id).Intersect(errors.Select(e => e.Id)).Count();
        var orphans = results.Select(r => r.Id).Concat(errors.Select(e => e.Id)).Count(id => !paths.ContainsKey(id));
        var withOutcome = results.Select(r => r.Id).Concat(errors.Select(e => e.Id)).ToHashSet();
        var missing = manifest.Count(m => !withOutcome.Contains(m.Id));
        var batchSizes = manifest.GroupBy(m => m.Batch).ToDictionary(g => g.Key, g => g.Count());

        var wrong = new List<string>();
        var maxDifference = 0.0;
        foreach (var result in results.Where(r => paths.ContainsKey(r.Id)))
        {
            var expected = dataset.Expected[paths[result.Id]];
            if (!expected.Succeeded)
            {
                wrong.Add($"{paths[result.Id]}: a result, expected the error {expected.Error!.Kind}");
                continue;
            }
            var topK = JsonNode.Parse(result.TopK)!.AsArray().Select(c => c!["index"]!.GetValue<int>());
            if (!topK.SequenceEqual(expected.TopK!.Select(c => c.Index)))
            {
                wrong.Add($"{paths[result.Id]}: top-k differs from predict");
            }
            var difference = expected.Embedding!.Zip(result.Embedding, (a, b) => (double)Math.Abs(a - b)).Max();
            maxDifference = Math.Max(maxDifference, difference);
            if (result.Embedding.Length != expected.Embedding!.Length || difference > EmbeddingTolerance)
            {
                wrong.Add($"{paths[result.Id]}: embedding differs from predict by {difference:G3}");
            }
        }
        foreach (var error in errors.Where(e => paths.ContainsKey(e.Id)))
        {
            var expected = dataset.Expected[paths[error.Id]];
            if (expected.Error?.Kind != error.Kind)
            {
                wrong.Add($"{paths[error.Id]}: error {error.Kind}, expected {(expected.Succeeded ? "a result" : expected.Error!.Kind)}");
            }
        }

        var counts = new AuditCounts(dataset.Count, results.Count, errors.Count, plannedTwice + both + orphans, missing + notListed.Count, maxDifference);
        Assert.True(plannedTwice == 0, $"{plannedTwice} files planned twice");
        Assert.True(unknown.Count == 0, $"unknown paths planned: {string.Join(", ", unknown.Take(5))}");
        Assert.True(both == 0, $"{both} images have both a result and an error");
        Assert.True(orphans == 0, $"{orphans} outcomes for images not in the manifest");
        Assert.True(batches.Count == batchSizes.Count && batches.All(b => batchSizes.GetValueOrDefault(b.Index) == b.Images),
            "the batch table and the manifest disagree (a batch planned twice or lost)");
        Assert.True(wrong.Count == 0, $"{wrong.Count} outcomes differ from predict: {string.Join("; ", wrong.Take(5))}");
        Assert.Equal(results.Count, progress.Succeeded);
        Assert.Equal(errors.Count, progress.Failed);
        Assert.Equal(manifest.Count, progress.Total);
        if (complete)
        {
            Assert.True(notListed.Count == 0, $"{notListed.Count} files never listed: {string.Join(", ", notListed.Take(5))}");
            Assert.True(missing == 0, $"{missing} images without an outcome");
            Assert.Equal(dataset.BadCount, errors.Count);
        }
        return counts;
    }

    private static async Task<List<T>> ReadAsync<T>(NpgsqlConnection connection, Guid jobId, string sql, Func<NpgsqlDataReader, T> row, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = jobId } } };
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(row(reader));
        }
        return rows;
    }
}

/// <summary>What the audit counted.</summary>
/// <param name="Images">Files in the dataset.</param>
/// <param name="Results">Result rows.</param>
/// <param name="Errors">Error rows.</param>
/// <param name="Duplicates">Files planned twice, images with two outcomes, outcomes of unknown images.</param>
/// <param name="Missing">Files never listed plus images without an outcome.</param>
/// <param name="MaxEmbeddingDifference">Largest difference of a stored embedding from predict's.</param>
internal sealed record AuditCounts(int Images, long Results, long Errors, long Duplicates, long Missing, double MaxEmbeddingDifference);
