namespace Dla.Modeling.Inference;

/// <summary>How ONNX Runtime sessions are created.</summary>
public sealed record InferenceOptions
{
    /// <summary>The requested execution provider.</summary>
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>CUDA device ordinal.</summary>
    public int DeviceId { get; init; }

    /// <summary>Threads for one operator (0 lets ONNX Runtime use one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Receives warnings such as a CUDA fallback; defaults to standard error.</summary>
    public Action<string> Warn { get; init; } = message => Console.Error.WriteLine($"warning: {message}");
}
