namespace Dla.Modeling.Inference;

/// <summary>Where ONNX Runtime executes the graph.</summary>
public enum ExecutionProvider
{
    /// <summary>ONNX Runtime's CPU provider (the default; always available).</summary>
    Cpu,

    /// <summary>The CUDA provider (needs the GPU build, an NVIDIA GPU and CUDA 13); falls back to CPU with a warning.</summary>
    Cuda,
}
