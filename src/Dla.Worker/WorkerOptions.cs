using System.ComponentModel.DataAnnotations;

namespace Dla.Worker;

/// <summary>How a worker process consumes batches and runs the model (configuration section <c>Worker</c>).</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>
    /// Batches processed at once. Two by default: with one, the decode threads idle while a batch is written and the next
    /// one starts (6-15 % of the cores on 2 cores, docs/benchmarks.md); with two, the other batch's images decode then.
    /// </summary>
    [Range(1, 64)]
    public int ConcurrentBatches { get; set; } = 2;

    /// <summary>Messages the broker hands out ahead of processing, so the next batch is ready when one ends.</summary>
    [Range(1, 1024)]
    public int PrefetchCount { get; set; } = 2;

    /// <summary>In-process retries of a failing batch (exponential backoff) before it goes to the <c>_error</c> queue.</summary>
    [Range(0, 20)]
    public int RetryCount { get; set; } = 5;

    /// <summary><c>cpu</c> or <c>cuda</c> (falls back to CPU with a warning when CUDA is unavailable).</summary>
    [Required]
    [RegularExpression("^(cpu|cuda)$")]
    public string Provider { get; set; } = "cpu";

    /// <summary>ONNX Runtime intra-op threads; 0 splits the cores into lanes of inference calls (one thread on CUDA), N runs one call at a time on N threads.</summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; set; }

    /// <summary>Images decoded at once (the worker's decode threads, shared by every batch in flight); 0 uses one per core.</summary>
    [Range(0, 1024)]
    public int DecodeParallelism { get; set; }

    /// <summary>
    /// Images per inference call within a batch message; 0 (the default) splits each message evenly into as many calls
    /// as the model has lanes, at least two (<see cref="Batches.InferenceCalls"/>), so the job's <c>batch_size</c> sizes
    /// the calls. A fixed N caps every call at N images.
    /// </summary>
    [Range(0, 4096)]
    public int InferenceBatchSize { get; set; }

    /// <summary>
    /// A model to load at start-up (a variant such as <c>dla34</c>, an architecture JSON or an ONNX file, as a
    /// job's <c>model</c>), so the first batch does not wait for it and <c>/health/ready</c> stays unhealthy
    /// until it is loaded. Null or empty: nothing is preloaded and models load on the first batch that needs them.
    /// </summary>
    public string? PreloadModel { get; set; }

    /// <summary>
    /// The weights of <see cref="PreloadModel"/>, as a job's <c>weights</c> (a safetensors path, <c>hf:REPO</c>,
    /// <c>random</c>); null for timm's pretrained weights. Jobs share the preloaded session only when they ask
    /// for the same model and weights.
    /// </summary>
    public string? PreloadWeights { get; set; }

    /// <summary>
    /// Seconds a stopping worker waits for its in-flight batch (<c>HostOptions.ShutdownTimeout</c>).
    /// Kubernetes' <c>terminationGracePeriodSeconds</c> must be larger, or the pod is killed first.
    /// </summary>
    [Range(5, 3600)]
    public int ShutdownTimeoutSeconds { get; set; } = 60;
}
