using System.Diagnostics.Metrics;
using Dla.Persistence.Jobs;
using Dla.ServiceDefaults.Telemetry;

namespace Dla.Scheduler.Telemetry;

/// <summary>
/// The scheduler's instruments on the <see cref="DlaTelemetry.Name"/> meter; docs/observability.md documents
/// each. The job and batch gauges are counted in the database by <see cref="SchedulerGaugeRefresh"/> (at most
/// every few seconds, and only while something listens), so they are exact whichever replica or worker did the work.
/// </summary>
public sealed class SchedulerMetrics
{
    private readonly Counter<long> _dispatched;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _planned;
    private readonly ObservableGauge<long> _jobs;
    private volatile StateCounts _counts = new([], []);

    /// <summary>Creates the instruments on the container's meter.</summary>
    public SchedulerMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(DlaTelemetry.Name);
        _dispatched = meter.CreateCounter<long>("dla.scheduler.batches.dispatched", "{batch}",
            "Batch messages published, by dispatch.reason: planned (first dispatch, or again after retry-failed), lease_expired (its worker stopped heartbeating for Scheduler:LeaseSeconds) or queue_timeout (queued for Scheduler:QueuedRepublishSeconds without a start).");
        _failed = meter.CreateCounter<long>("dla.scheduler.batches.failed", "{batch}",
            "Batches marked failed, by error.type: the exception that sent the batch to the error queue, or lease_exhausted (its worker was lost on each of Scheduler:MaxDispatches dispatches).");
        _planned = meter.CreateCounter<long>("dla.scheduler.images.planned", "{image}",
            "Images added to job manifests by dataset listing.");
        _jobs = meter.CreateObservableGauge("dla.scheduler.jobs", () => Measure(_counts.Jobs), "{job}",
            "Jobs in the database, by state (pending, running, succeeded, failed, cancelled).");
        meter.CreateObservableGauge("dla.scheduler.batches", () => Measure(_counts.Batches), "{batch}",
            "Batches of pending and running jobs, by state; planned + queued + started is the backlog the worker pool scales on.");
    }

    /// <summary>True while a listener (an exporter) observes the gauges, so counting them is worth a query.</summary>
    public bool GaugesObserved => _jobs.Enabled;

    /// <summary>Replaces the counts the gauges report.</summary>
    public void Update(IReadOnlyDictionary<JobState, long> jobs, IReadOnlyDictionary<BatchState, long> batches) =>
        _counts = new StateCounts(
            Enum.GetValues<JobState>().ToDictionary(StateName, s => jobs.GetValueOrDefault(s)),
            Enum.GetValues<BatchState>().ToDictionary(StateName, s => batches.GetValueOrDefault(s)));

    /// <summary>A batch was published, for <paramref name="reason"/>.</summary>
    public void Dispatched(DispatchReason reason) =>
        _dispatched.Add(1, new KeyValuePair<string, object?>("dispatch.reason", reason switch
        {
            DispatchReason.LeaseExpired => "lease_expired",
            DispatchReason.QueueTimeout => "queue_timeout",
            _ => "planned",
        }));

    /// <summary>A batch was marked failed.</summary>
    /// <param name="errorType">The exception type of the fault, or <c>lease_exhausted</c>.</param>
    public void BatchFailed(string errorType) => _failed.Add(1, new KeyValuePair<string, object?>("error.type", errorType));

    /// <summary>Listing stored <paramref name="images"/> more images in a manifest.</summary>
    public void ImagesPlanned(int images) => _planned.Add(images);

    private static string StateName<T>(T state) where T : struct, Enum => state.ToString().ToLowerInvariant();

    private static IEnumerable<Measurement<long>> Measure(Dictionary<string, long> counts) =>
        counts.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("state", c.Key)));

    private sealed record StateCounts(Dictionary<string, long> Jobs, Dictionary<string, long> Batches);
}

/// <summary>Why a batch was published.</summary>
public enum DispatchReason
{
    /// <summary>First dispatch, or again after retry-failed.</summary>
    Planned,

    /// <summary>Its worker stopped heartbeating.</summary>
    LeaseExpired,

    /// <summary>It waited in the queue too long without a start; its message is presumed lost.</summary>
    QueueTimeout,
}
