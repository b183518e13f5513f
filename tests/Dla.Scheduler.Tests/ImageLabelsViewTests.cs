using Dla.Persistence.Jobs;
using Dla.Scheduler.Tests.Hosting;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Dla.Scheduler.Tests;

/// <summary>The SQL users' view <c>dla.image_labels</c> (docs/sql.md) on PostgreSQL: one row per image, result or error.</summary>
public sealed class ImageLabelsViewTests(RealServiceEnvironment services) : IClassFixture<RealServiceEnvironment>, IDisposable
{
    private readonly TestDataset _dataset = new(images: 10);

    public void Dispose() => _dataset.Dispose();

    [Fact]
    public async Task The_view_has_one_row_per_image_with_its_labels_jsonb_top_k_and_embedding_or_its_error_and_forgets_deleted_jobs()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartPostgresRabbitMqAsync(services, _dataset.Root);
        var jobId = await FinishedJobs.RunAsync(host, _dataset, images: 45);

        var rows = await ReadAsync(host, jobId);

        Assert.Equal(45, rows.Count);
        Assert.Equal(Enumerable.Range(0, 45).Select(i => (long)i), rows.Select(r => r.ImageId));
        var failed = rows[0];
        Assert.Equal(("unreadable", (string?)null, "null"), (failed.ErrorKind, failed.Top1Label, failed.TopKType));
        Assert.All(rows.Skip(1), r =>
        {
            Assert.Null(r.ErrorKind);
            Assert.Equal($"class {r.ImageId}", r.Top1Label);
            Assert.Equal("array", r.TopKType);
            Assert.Equal(2, r.EmbeddingDims);
            Assert.EndsWith($"img-{r.ImageId:D3}.jpg", r.Path, StringComparison.Ordinal);
        });

        await using (var db = await host.Databases.CreateAsync(ct))
        {
            await JobTransitions.DeleteAsync(db, jobId, ct);
        }
        Assert.Empty(await ReadAsync(host, jobId));
    }

    private sealed record Row(long ImageId, string Path, string? Top1Label, string TopKType, int? EmbeddingDims, string? ErrorKind);

    private static async Task<List<Row>> ReadAsync(SchedulerHost host, Guid jobId)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await host.Databases.CreateAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""
            SELECT image_id, path, top1_label, coalesce(jsonb_typeof(top_k), 'null'), vector_dims(embedding), error_kind
            FROM dla.image_labels WHERE job_id = $1 ORDER BY image_id
            """, connection) { Parameters = { new() { Value = jobId } } };
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<Row>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new Row(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return rows;
    }
}
