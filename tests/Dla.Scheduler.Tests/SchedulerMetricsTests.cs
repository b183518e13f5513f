using System.Diagnostics.Metrics;
using System.Net;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Tests.Hosting;
using Dla.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Scheduler.Tests;

/// <summary>The scheduler's instruments over a job with a lost batch (SQLite, in-memory bus), and its <c>/metrics</c> endpoint.</summary>
public sealed class SchedulerMetricsTests : IDisposable
{
    private readonly TestDataset _dataset = new(images: 10);

    public void Dispose() => _dataset.Dispose();

    [Fact]
    public async Task Planning_dispatch_lease_expiry_and_the_job_states_are_measured()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        // A batch whose worker dies is published again after a one-second lease, then failed after its second.
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root,
            new Dictionary<string, string?> { ["Scheduler:LeaseSeconds"] = "1", ["Scheduler:MaxDispatches"] = "2" });
        using var measurements = new DlaMeasurements(host.App.Services.GetRequiredService<IMeterFactory>());
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 5 });
        var batches = await host.AllBatchesReceivedAsync(jobId, 2);
        await host.Worker.ProcessAsync(batches[0]);
        // Batch 1's worker starts it and dies: its lease expires once, then again after the second dispatch.
        await host.Worker.StartAsync(batches[1]);
        var again = await Eventually.HoldsAsync(() => Task.FromResult(host.Recorder.For(jobId).Where(b => b.BatchIndex == 1).ToList()), b => b.Count == 2, "batch 1 to be dispatched again");
        await host.Worker.StartAsync(again[1]);

        var job = await host.JobReachesAsync(jobId, JobState.Failed);

        Assert.Equal("1 batches failed; run retry-failed", job.FailureReason);
        Assert.Equal(10, measurements.Sum("dla.scheduler.images.planned"));
        Assert.Equal(2, measurements.Sum("dla.scheduler.batches.dispatched", ("dispatch.reason", "planned")));
        Assert.Equal(1, measurements.Sum("dla.scheduler.batches.dispatched", ("dispatch.reason", "lease_expired")));
        Assert.Equal(1, measurements.Sum("dla.scheduler.batches.failed", ("error.type", "lease_exhausted")));
        // The gauges are counted in the database every few seconds.
        await Eventually.HoldsAsync(() => Task.FromResult(Gauge(measurements, "dla.scheduler.jobs", "failed")), n => n == 1, "the failed job in the job gauge");
        Assert.Equal(0, Gauge(measurements, "dla.scheduler.jobs", "running"));
        Assert.Equal(0, Gauge(measurements, "dla.scheduler.batches", "queued"));

        using var scrape = await host.Http.GetAsync("/metrics", cancellationToken);
        var text = await scrape.Content.ReadAsStringAsync(cancellationToken);
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("# TYPE dla_scheduler_batches_dispatched_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dla_scheduler_jobs gauge", text, StringComparison.Ordinal);
    }

    /// <summary>The gauge's value for <paramref name="state"/> now; NaN before the first count.</summary>
    private static double Gauge(DlaMeasurements measurements, string name, string state)
    {
        measurements.Observe();
        return measurements.Count(name, ("state", state)) > 0 ? measurements.Last(name, ("state", state)) : double.NaN;
    }
}
