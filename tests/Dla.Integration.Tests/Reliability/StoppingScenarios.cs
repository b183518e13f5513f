using Dla.Persistence.Database;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Dla.Integration.Tests.Reliability;

/// <summary>Scenarios 8 and 10: a job stopped by its user, and jobs stopped by their error thresholds.</summary>
[Collection(ReliabilityCollection.Name)]
[Trait("Category", "Reliability")]
public sealed class StoppingScenarios(ReliabilityFixture fixture, ITestOutputHelper output)
{
    /// <summary>How long a stopped job is watched for late writes.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(5);

    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Scenario_08_cancel_a_running_job_nothing_is_written_after_the_acknowledgement()
    {
        fixture.Require();
        await using var cluster = await JobCluster.CreateAsync(fixture, output);
        await cluster.StartAsync();
        var jobId = await cluster.SubmitAsync(fixture.Dataset);
        await cluster.WaitForAFifthAsync(jobId, fixture.Dataset);

        var requested = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var cancel = await cluster.Api.PostAsync($"jobs/{jobId}/cancel", null, _ct);
        var acknowledged = clock.Elapsed;
        var answer = (await cancel.Content.ReadFromJsonAsync<JsonNode>(_ct))!;
        Assert.True(cancel.IsSuccessStatusCode, answer.ToJsonString());
        Assert.Equal("cancelled", answer["state"]!.GetValue<string>());
        var atAcknowledgement = await RowsAsync(cluster, jobId);
        // Workers had batches in flight: give them time to finish, try to store, and be refused.
        await Task.Delay(Quiet, _ct);
        var later = await RowsAsync(cluster, jobId);

        Assert.Equal(atAcknowledgement, later);
        Assert.True(later.LastWrite is null || later.LastWrite <= requested + acknowledged, $"a row was written at {later.LastWrite}, after the cancellation was acknowledged at {requested + acknowledged}");
        var final = (await cluster.TryProgressAsync(jobId))!;
        Assert.Equal("cancelled", final.State);
        // The partial results stay queryable.
        var export = (await cluster.Api.GetStringAsync($"jobs/{jobId}/export?format=jsonl", _ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(final.Total, export.Length);
        Assert.Equal(later.Results + later.Errors, export.Count(line => !line.Contains($"\"{Dla.Scheduler.Export.ExportRow.NotProcessed}\"", StringComparison.Ordinal)));
        var page = (await cluster.Api.GetFromJsonAsync<JsonNode>($"jobs/{jobId}/results", _ct))!;
        Assert.NotEmpty(page.ToJsonString());
        var counts = await JobAudit.RunAsync(cluster, fixture.Dataset, jobId, final, complete: false);
        var refused = cluster.LogLines($"of job {jobId}: the job").Count();
        output.WriteLine(ReliabilityReport.Add("8. cancel a running job", counts, final.State, acknowledged,
            $"acknowledged in {acknowledged.TotalMilliseconds:0} ms; rows unchanged {Quiet.TotalSeconds:0} s later; {refused} queued or in-flight batches skipped, stopped or refused by the workers; partial results exported"));
    }

    [Theory]
    [InlineData("max_failed_images", 3)]
    [InlineData("max_failed_percent", 2.0)]
    public async Task Scenario_10_a_job_whose_failures_exceed_its_threshold_stops_as_failed(string threshold, double limit)
    {
        fixture.Require();
        await using var cluster = await JobCluster.CreateAsync(fixture, output);
        await cluster.StartAsync();
        var clock = Stopwatch.StartNew();
        var jobId = await cluster.SubmitAsync(fixture.Dataset, new Dictionary<string, object> { [threshold] = limit });
        var final = await cluster.WaitFinalAsync(jobId);
        var stoppedAfter = clock.Elapsed;

        Assert.Equal("failed", final.State);
        Assert.Contains($"more than {threshold} ({limit}", final.FailureReason, StringComparison.Ordinal);
        var atStop = await RowsAsync(cluster, jobId);
        await Task.Delay(Quiet, _ct);
        Assert.Equal(atStop, await RowsAsync(cluster, jobId));
        var counts = await JobAudit.RunAsync(cluster, fixture.Dataset, jobId, (await cluster.TryProgressAsync(jobId))!, complete: false);
        Assert.True(counts.Errors > (threshold == "max_failed_images" ? limit : limit / 100 * fixture.Dataset.Count));
        output.WriteLine(ReliabilityReport.Add($"10. {threshold} = {limit} exceeded", counts, final.State, null,
            $"\"{final.FailureReason}\" after {stoppedAfter.TotalSeconds:0} s; nothing written after the stop"));
    }

    private async Task<Rows> RowsAsync(JobCluster cluster, Guid jobId)
    {
        await using var connection = new NpgsqlConnection(PostgresDlaDbContext.WithSearchPath(cluster.Services.Postgres));
        await connection.OpenAsync(_ct);
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM results WHERE job_id = $1), (SELECT count(*) FROM image_errors WHERE job_id = $1),
                   GREATEST((SELECT max(created_at) FROM results WHERE job_id = $1), (SELECT max(created_at) FROM image_errors WHERE job_id = $1))
            """, connection) { Parameters = { new() { Value = jobId } } };
        await using var reader = await command.ExecuteReaderAsync(_ct);
        await reader.ReadAsync(_ct);
        return new Rows(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    private sealed record Rows(long Results, long Errors, DateTimeOffset? LastWrite);
}
