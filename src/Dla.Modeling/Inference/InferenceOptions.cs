namespace Dla.Modeling.Inference;

/// <summary>How ONNX Runtime sessions are created.</summary>
public sealed record InferenceOptions
{
    /// <summary>The requested execution provider.</summary>
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>CUDA device ordinal.</summary>
    public int DeviceId { get; init; }

    /// <summary>
    /// Threads for one operator. 0: chosen by <see cref="InferenceThreading"/> (on the CPU every core for the model alone,
    /// or lanes of cores ÷ lanes threads beside decoding; one on CUDA). N: one call at a time on N threads.
    /// </summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// True where images decode on the same cores while the model runs (a worker, <c>dla predict</c>, <c>dla run</c>):
    /// ONNX Runtime's intra-op threads then block between operators instead of spinning, so the cycles they
    /// would burn waiting go to the decoders. False (spinning) for the model alone, e.g. <c>dla bench model</c>.
    /// </summary>
    public bool SharesCoresWithDecoding { get; init; }

    /// <summary>Receives warnings such as a CUDA fallback; defaults to standard error.</summary>
    public Action<string> Warn { get; init; } = message => Console.Error.WriteLine($"warning: {message}");
}
