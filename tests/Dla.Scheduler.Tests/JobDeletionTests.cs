using System.Net;
using System.Text.Json;
using Dla.Scheduler.Search;
using Dla.Scheduler.Tests.Hosting;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Dla.Scheduler.Tests;

/// <summary>
/// DELETE /jobs/{id} and Jobs:RetainDays on PostgreSQL: the job disappears from the API at once, the leader purges
/// its manifest, batches, results, errors and HNSW index in chunks, and another job's rows are untouched.
/// </summary>
public sealed class JobDeletionTests(RealServiceEnvironment services) : IClassFixture<RealServiceEnvironment>, IDisposable
{
    private static readonly Dictionary<string, string?> FastPurge = new()
    {
        ["Jobs:PurgeIntervalSeconds"] = "1",
        // Small chunks, so a purge of this test's 60 results takes several statements, as a large one does.
        ["Jobs:PurgeChunkRows"] = "100",
    };

    private readonly TestDataset _dataset = new(images: 250);

    public void Dispose() => _dataset.Dispose();

    [Fact]
    public async Task A_deleted_job_is_gone_at_once_and_its_rows_and_index_are_purged_while_another_job_keeps_everything()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartPostgresRabbitMqAsync(services, _dataset.Root, FastPurge);
        var deleted = await FinishedJobs.RunAsync(host, _dataset);
        var kept = await FinishedJobs.RunAsync(host, _dataset);
        var index = SearchIndexBuilder.IndexName(deleted);
        await Eventually.HoldsAsync(() => IndexExistsAsync(host, index), exists => exists, $"index {index} to be built");
        var keptBefore = await RowCountsAsync(host, kept);

        using var response = await host.Http.DeleteAsync($"/jobs/{deleted}", cancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync($"/jobs/{deleted}", cancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync($"/jobs/{deleted}/results", cancellationToken)).StatusCode);
        var listed = JsonDocument.Parse(await host.Http.GetStringAsync("/jobs", cancellationToken)).RootElement.GetProperty("jobs");
        Assert.DoesNotContain(listed.EnumerateArray(), j => j.GetProperty("id").GetGuid() == deleted);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.DeleteAsync($"/jobs/{deleted}", cancellationToken)).StatusCode);
        await Eventually.HoldsAsync(() => RowCountsAsync(host, deleted), c => c == (0, 0, 0, 0, 0), "every row of the deleted job to be purged");
        Assert.False(await IndexExistsAsync(host, index));
        Assert.Equal(keptBefore, await RowCountsAsync(host, kept));
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync($"/jobs/{kept}", cancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Deleting_a_running_job_cancels_it_for_the_workers_and_a_late_batch_writes_nothing()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartPostgresRabbitMqAsync(services, _dataset.Root, FastPurge);
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 50 });
        var batches = await host.AllBatchesReceivedAsync(jobId, 5);
        await host.Worker.ProcessAsync(batches[0]);

        using var response = await host.Http.DeleteAsync($"/jobs/{jobId}", cancellationToken);
        // The worker still held batch 1: its write comes after the deletion, and the fence refuses it.
        await host.Worker.ProcessAsync(batches[1]);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await Eventually.HoldsAsync(() => Task.FromResult(host.Recorder.Cancellations.Contains(jobId)), c => c, "the workers to be told to drop the job");
        await Eventually.HoldsAsync(() => RowCountsAsync(host, jobId), c => c == (0, 0, 0, 0, 0), "every row of the deleted job to be purged");
    }

    [Fact]
    public async Task Retention_deletes_finished_jobs_older_than_retain_days_and_keeps_newer_ones()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartPostgresRabbitMqAsync(services, _dataset.Root, new Dictionary<string, string?>(FastPurge) { ["Jobs:RetainDays"] = "30" });
        var old = await FinishedJobs.RunAsync(host, _dataset);
        var recent = await FinishedJobs.RunAsync(host, _dataset);
        await using (var db = await host.Databases.CreateAsync(cancellationToken))
        {
            await db.Jobs.Where(j => j.Id == old).ExecuteUpdateAsync(s => s.SetProperty(j => j.FinishedAt, DateTimeOffset.UtcNow.AddDays(-31)), cancellationToken);
        }

        await Eventually.HoldsAsync(() => RowCountsAsync(host, old), c => c == (0, 0, 0, 0, 0), "the expired job to be purged");

        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync($"/jobs/{recent}", cancellationToken)).StatusCode);
        Assert.Equal(1, (await RowCountsAsync(host, recent)).Jobs);
    }

    private static async Task<(int Jobs, int Batches, int Images, int Results, int Errors)> RowCountsAsync(SchedulerHost host, Guid jobId)
    {
        await using var db = await host.Databases.CreateAsync(TestContext.Current.CancellationToken);
        var ct = TestContext.Current.CancellationToken;
        return (await db.Jobs.CountAsync(j => j.Id == jobId, ct), await db.Batches.CountAsync(b => b.JobId == jobId, ct),
            await db.Images.CountAsync(i => i.JobId == jobId, ct), await db.Results.CountAsync(r => r.JobId == jobId, ct),
            await db.Errors.CountAsync(e => e.JobId == jobId, ct));
    }

    private static async Task<bool> IndexExistsAsync(SchedulerHost host, string index)
    {
        await using var db = await host.Databases.CreateAsync(TestContext.Current.CancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_indexes WHERE indexname = $1", connection) { Parameters = { new() { Value = index } } };
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))! > 0;
    }
}
