using System.Diagnostics.Metrics;
using Dla.Contracts;
using Dla.Testing;
using Dla.Worker.Tests.Batches;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Worker.Tests.Telemetry;

/// <summary>What the worker's instruments record for a stored batch and for a batch that keeps failing (SQLite, in-memory bus).</summary>
public sealed class WorkerMetricsTests(SqliteWorkerHost host) : IClassFixture<SqliteWorkerHost>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stored_batch_counts_images_by_outcome_and_error_kind_and_times_every_stage()
    {
        await using var worker = await host.StartWorkerAsync(new Dictionary<string, string?> { ["Worker:InferenceBatchSize"] = "3" });
        using var measurements = new DlaMeasurements(worker.Services.GetRequiredService<IMeterFactory>());
        var message = await host.SeedJobAsync();

        await worker.Harness.Bus.Publish(message, _ct);
        Assert.True(await worker.Harness.Published.Any<ImageBatchProcessed>(m => m.Context.Message.JobId == message.JobId, _ct));

        Assert.Equal(WorkerHost.Photos.Length, measurements.Sum("dla.worker.images", ("outcome", "succeeded")));
        var kinds = WorkerHost.BadFiles.Concat(WorkerHost.Unreadable).GroupBy(f => host.Expected[f].ErrorKind);
        Assert.All(kinds, kind => Assert.Equal(kind.Count(), measurements.Sum("dla.worker.images", ("outcome", "failed"), ("error.kind", kind.Key))));
        Assert.Equal(2, measurements.Sum("dla.worker.images", ("outcome", "failed"), ("error.kind", "read_failed")));
        // Every image is read (the missing and the escaping one fail there); only those read are decoded.
        var images = message.Images.Count;
        Assert.Equal(images, measurements.Count("dla.worker.stage.duration", ("stage", "fetch")));
        Assert.Equal(images - WorkerHost.Unreadable.Length, measurements.Count("dla.worker.stage.duration", ("stage", "decode")));
        // Groups of 3 in message order: 3 photos; 1 photo and 2 bad files; 1 bad file and 2 unreadable ones. The
        // model sees only decoded images: a call of 3, a call of 1, and no call for the last group.
        Assert.Equal(2, measurements.Count("dla.worker.stage.duration", ("stage", "infer")));
        Assert.Equal(3 / 3.0 + 1 / 3.0, measurements.Sum("dla.worker.batch.fill"), 6);
        Assert.Equal(1, measurements.Count("dla.worker.stage.duration", ("stage", "write")));
        Assert.Equal(1, measurements.Sum("dla.worker.batches", ("outcome", "stored")));
        Assert.Equal(1, measurements.Count("dla.worker.batch.duration"));
        measurements.Observe();
        Assert.Equal(1, measurements.Sum("dla.worker.execution_provider", ("provider", "cpu"), ("model", host.Model.Model)));
    }

    [Fact]
    public async Task A_batch_that_keeps_failing_counts_each_retry_and_each_failed_attempt_by_type()
    {
        await using var worker = await host.StartWorkerAsync(new Dictionary<string, string?> { ["Worker:RetryCount"] = "2" });
        using var measurements = new DlaMeasurements(worker.Services.GetRequiredService<IMeterFactory>());
        // A blob dataset without ConnectionStrings:BlobStorage fails every attempt the same way.
        var message = await host.SeedJobAsync() with { Dataset = "azure://photos/2026/" };

        await worker.Harness.Bus.Publish(message, _ct);

        Assert.True(await worker.Harness.Published.Any<Fault<ProcessImageBatch>>(m => m.Context.Message.Message.JobId == message.JobId, _ct));
        Assert.Equal(2, measurements.Sum("dla.worker.retries"));
        Assert.Equal(3, measurements.Sum("dla.worker.batches", ("outcome", "error"), ("error.type", typeof(InvalidOperationException).FullName)));
        Assert.Equal(0, measurements.Sum("dla.worker.images"));
    }
}
