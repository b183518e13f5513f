using Dla.Integration.Tests.Hosting;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Dla.Integration.Tests.Deployment;

/// <summary>
/// The query KEDA scales the worker pool on (k8s/base/worker-autoscaling.yaml), run on the real PostgreSQL
/// with today's schema: it counts exactly the outstanding batches of running jobs, which is what the
/// scheduler's own gauge reports, so the pool grows with the backlog and not with the (short) queue.
/// </summary>
public sealed class KedaBacklogQueryTests : IAsyncDisposable
{
    private readonly PostgresTestDatabase _database = new();

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task The_scaler_query_counts_planned_queued_and_started_batches_of_running_jobs_only()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await _database.ConnectionStringAsync();
        await using (var db = new PostgresDlaDbContext(new DbContextOptionsBuilder<PostgresDlaDbContext>().UseNpgsql(connectionString, PostgresDlaDbContext.Configure).Options))
        {
            var running = Job(JobState.Running);
            var cancelled = Job(JobState.Cancelled);
            db.Jobs.AddRange(running, cancelled);
            // Running: 5 planned + 3 queued + 2 started outstanding; done, failed and cancelled ones are not work.
            AddBatches(db, running, (BatchState.Planned, 5), (BatchState.Queued, 3), (BatchState.Started, 2),
                (BatchState.Completed, 7), (BatchState.Failed, 1), (BatchState.Cancelled, 1));
            AddBatches(db, cancelled, (BatchState.Planned, 4));
            await db.SaveChangesAsync(ct);
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(ScalerQuery(), connection);

        Assert.Equal(10L, Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string ScalerQuery()
    {
        var documents = Yaml.LoadAll(File.ReadAllText(Path.Combine(Executables.RepositoryRoot, "k8s", "base", "worker-autoscaling.yaml")));
        var scaledObject = Assert.Single(documents, d => Equals(d["kind"], "ScaledObject"));
        var trigger = Assert.Single(Yaml.List(scaledObject, "spec", "triggers"), t => Equals(Yaml.At(t, "type"), "postgresql"));
        return Assert.IsType<string>(Yaml.At(trigger, "metadata", "query"));
    }

    private static Job Job(JobState state) => new() { Id = Guid.NewGuid(), Dataset = "/data", Model = "dla34", State = state, CreatedAt = DateTimeOffset.UtcNow };

    private static void AddBatches(DlaDbContext db, Job job, params (BatchState State, int Count)[] groups)
    {
        var index = 0;
        foreach (var (state, count) in groups)
        {
            for (var i = 0; i < count; i++)
            {
                db.Batches.Add(new Batch { JobId = job.Id, BatchIndex = index++, State = state, ImageCount = 8 });
            }
        }
    }
}
