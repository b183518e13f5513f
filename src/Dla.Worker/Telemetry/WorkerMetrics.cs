using System.Diagnostics.Metrics;
using Dla.Modeling.Prediction;
using Dla.Persistence.Results;
using Dla.ServiceDefaults.Telemetry;
using Dla.Worker.Inference;

namespace Dla.Worker.Telemetry;

/// <summary>
/// The worker's instruments on the <see cref="DlaTelemetry.Name"/> meter; docs/observability.md documents
/// each name, unit and attribute. Images are counted once their batch is stored, so a batch that fails and is
/// retried counts its images once per stored attempt, never per failed one.
/// </summary>
public sealed class WorkerMetrics
{
    /// <summary>Seconds: from a fast image read (milliseconds) to a large batch's write or inference on a CPU (a minute).</summary>
    private static readonly double[] SecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private static readonly double[] FillBuckets = [0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1];

    private readonly Counter<long> _images;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _stageDuration;
    private readonly Histogram<double> _batchDuration;
    private readonly Histogram<double> _batchFill;

    /// <summary>Creates the instruments on the container's meter.</summary>
    public WorkerMetrics(IMeterFactory meters, ModelSessions sessions)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(DlaTelemetry.Name);
        _images = meter.CreateCounter<long>("dla.worker.images", "{image}",
            "Images whose outcome was stored, by outcome (succeeded, failed) and, for failures, error.kind.");
        _batches = meter.CreateCounter<long>("dla.worker.batches", "{batch}",
            "Batch messages consumed, by outcome: stored, skipped (job cancelled before it started), stopped (cancelled mid-batch), error (the attempt threw; error.type).");
        _retries = meter.CreateCounter<long>("dla.worker.retries", "{retry}",
            "In-process retry attempts of a batch message (attempts after the first).");
        _stageDuration = meter.CreateHistogram("dla.worker.stage.duration", "s",
            "Time of one unit of a pipeline stage: fetch and decode per image, infer per inference call, write per batch message.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _batchDuration = meter.CreateHistogram("dla.worker.batch.duration", "s",
            "Time from the start of consuming a batch message to its outcome being stored.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _batchFill = meter.CreateHistogram("dla.worker.batch.fill", "1",
            "Images per inference call divided by the call size (Worker:InferenceBatchSize, or with 0 the message split across the model's lanes).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FillBuckets });
        meter.CreateObservableGauge("dla.worker.execution_provider", () => sessions.Opened.Select(s => new Measurement<int>(1,
                new KeyValuePair<string, object?>("provider", s.Provider.ToString().ToLowerInvariant()),
                new KeyValuePair<string, object?>("model", s.Description.Name))),
            "{session}", "1 for each model session open in this process, with the execution provider it actually runs on (cpu after a CUDA fallback).");
    }

    /// <summary>An observer of one batch's reads, decodes and inference calls.</summary>
    /// <param name="inferenceBatchSize">The images per inference call (<see cref="Batches.InferenceCalls"/>), the denominator of the batch fill.</param>
    public IPredictionObserver ForBatch(int inferenceBatchSize) => new StageObserver(this, Math.Max(1, inferenceBatchSize));

    /// <summary>A batch's outcome was stored: counts its images by outcome and error kind.</summary>
    public void BatchStored(BatchOutcome outcome, TimeSpan elapsed, TimeSpan write)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Results.Count > 0)
        {
            _images.Add(outcome.Results.Count, new KeyValuePair<string, object?>("outcome", "succeeded"));
        }
        foreach (var kind in outcome.Errors.GroupBy(e => e.Kind))
        {
            _images.Add(kind.Count(), new KeyValuePair<string, object?>("outcome", "failed"), new KeyValuePair<string, object?>("error.kind", kind.Key));
        }
        _stageDuration.Record(write.TotalSeconds, Stage("write"));
        _batchDuration.Record(elapsed.TotalSeconds);
        _batches.Add(1, new KeyValuePair<string, object?>("outcome", "stored"));
    }

    /// <summary>A batch of a cancelled job was acknowledged without work.</summary>
    public void BatchSkipped() => _batches.Add(1, new KeyValuePair<string, object?>("outcome", "skipped"));

    /// <summary>A batch finished after its job ended: the writer's fence refused its results.</summary>
    public void BatchDiscarded() => _batches.Add(1, new KeyValuePair<string, object?>("outcome", "discarded"));

    /// <summary>A batch stopped at a stage boundary because its job was cancelled.</summary>
    public void BatchStopped() => _batches.Add(1, new KeyValuePair<string, object?>("outcome", "stopped"));

    /// <summary>An attempt threw; it is retried or goes to the error queue.</summary>
    public void BatchFailed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _batches.Add(1, new KeyValuePair<string, object?>("outcome", "error"), new KeyValuePair<string, object?>("error.type", exception.GetType().FullName));
    }

    /// <summary>An attempt after the first of the same delivery started.</summary>
    public void Retried() => _retries.Add(1);

    private static KeyValuePair<string, object?> Stage(string stage) => new("stage", stage);

    private sealed class StageObserver(WorkerMetrics metrics, int inferenceBatchSize) : IPredictionObserver
    {
        public void ImageRead(TimeSpan elapsed) => metrics._stageDuration.Record(elapsed.TotalSeconds, Stage("fetch"));

        public void ImageDecoded(TimeSpan elapsed) => metrics._stageDuration.Record(elapsed.TotalSeconds, Stage("decode"));

        public void BatchInferred(int images, TimeSpan elapsed)
        {
            metrics._stageDuration.Record(elapsed.TotalSeconds, Stage("infer"));
            metrics._batchFill.Record((double)images / inferenceBatchSize);
        }
    }
}
